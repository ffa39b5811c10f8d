/**
 * Parsing of the addresses frames carry: MAC (6 bytes) and IPv4 (a 32-bit
 * unsigned number, as the header holds it). Formatting is the decoders'
 * (lib/decode/format.ts: formatHex, formatIPv4).
 */
import { PcapError } from '../errors';

const MAC_RE = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `"02:00:00:00:00:01"` → its 6 bytes. Throws EINVAL otherwise. */
export function parseMac(text: string): Uint8Array {
  if (typeof text !== 'string' || !MAC_RE.test(text)) {
    throw new PcapError(`"${text}" is not a MAC address; write six hex bytes like 02:00:00:00:00:01`, 'EINVAL');
  }
  return Uint8Array.from(text.split(':'), (b) => parseInt(b, 16));
}

/** `"198.18.0.1"` → 3323068417. Throws EINVAL otherwise. */
export function parseIpv4(text: string): number {
  const parts = typeof text === 'string' && IPV4_RE.test(text) ? text.split('.').map(Number) : [];
  if (parts.length !== 4 || parts.some((p) => p > 255)) {
    throw new PcapError(`"${text}" is not an IPv4 address; write four numbers 0-255 like 198.18.0.1`, 'EINVAL');
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Whether `addr` is in `prefix/bits` (both as numbers). */
export function inSubnet(addr: number, prefix: number, bits: number): boolean {
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return ((addr & mask) >>> 0) === ((prefix & mask) >>> 0);
}
