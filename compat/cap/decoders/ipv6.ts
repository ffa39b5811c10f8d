/**
 * cap's `decoders.IPV6(buf[, offset])`: the fixed header, then the chain of
 * extension headers is walked to the upper-layer protocol.
 *
 * Where cap 0.2.1 went wrong, ours follows RFC 8200 / RFC 4302 / RFC 4303:
 * - an ESP header (50) made cap loop forever (it had no branch to leave it);
 *   ESP encrypts what follows, so the walk stops there: `protocol` is 50 and
 *   `offset` points at the ESP header;
 * - an AH header (51) was skipped by the wrong length; its length field
 *   counts 4-byte words minus 2, so AH is (len + 2) * 4 bytes;
 * - a chain that runs past the end of the buffer stops there (`truncated`).
 */
import { hexBytes, markTruncated, startOf, u16, u8 } from './read';

export interface IPv6Info {
  /** Traffic class (8 bits). */
  class: number | undefined;
  flowLabel: number | undefined;
  /** Not decoded, as in cap (always undefined). */
  extensions: undefined;
  /** The upper-layer protocol after the extension headers; undefined for
   * "No Next Header" (59). */
  protocol: number | undefined;
  hopLimit: number | undefined;
  /** cap's format: 16 two-digit hex bytes joined by ':' ("20:01:0d:b8:00:00:…"). */
  srcaddr: string;
  dstaddr: string;
  /** Payload length in bytes (cap puts it here, in `info`). */
  payloadlen?: number;
}

export interface IPv6Result {
  info: IPv6Info;
  /** Always undefined: cap declares it here but fills `info.payloadlen`. */
  payloadlen: undefined;
  /** Where the upper-layer header starts; undefined for "No Next Header". */
  offset: number | undefined;
  truncated?: boolean;
}

const FIXED_HEADER = 40;
const NO_NEXT_HEADER = 59;
const AH = 51;
const FRAGMENT = 44;
/** The extension headers cap walks whose length is in 8-byte units not
 * counting the first 8: hop-by-hop, routing, destination options, mobility. */
const EIGHT_BYTE_UNITS = new Set([0, 43, 60, 135]);

/** Decode the IPv6 header and its extension headers at `offset` (default 0). */
export function IPV6(b: Buffer | Uint8Array, offset?: number): IPv6Result {
  const start = startOf(b, offset);
  const b0 = u8(b, start);
  const b1 = u8(b, start + 1);
  const low = u16(b, start + 2);
  const info: IPv6Info = {
    class: b0 === undefined || b1 === undefined ? undefined : ((b0 & 0x0f) << 4) | (b1 >> 4),
    flowLabel: b1 === undefined || low === undefined ? undefined : ((b1 & 0x0f) << 16) + low,
    extensions: undefined,
    protocol: undefined,
    hopLimit: u8(b, start + 7),
    srcaddr: hexBytes(b, start + 8, 16),
    dstaddr: hexBytes(b, start + 24, 16),
  };
  info.payloadlen = u16(b, start + 4);
  const ret: IPv6Result = { info, payloadlen: undefined, offset: undefined };
  if (start + FIXED_HEADER > b.length) return markTruncated(ret, b, start + FIXED_HEADER);

  let next = b[start + 6];
  let o = start + FIXED_HEADER;
  // Each step moves o forward by at least 8 bytes: the walk ends.
  for (;;) {
    let size: number | undefined;
    if (EIGHT_BYTE_UNITS.has(next)) size = o + 2 <= b.length ? 8 + 8 * b[o + 1] : undefined;
    else if (next === FRAGMENT) size = 8;
    else if (next === AH) size = o + 2 <= b.length ? (b[o + 1] + 2) * 4 : undefined;
    else break; // an upper-layer protocol, ESP, or No Next Header
    if (size === undefined || o + size > b.length) return markTruncated(ret, b, o + (size ?? 2));
    next = b[o];
    o += size;
  }
  if (next !== NO_NEXT_HEADER) {
    info.protocol = next;
    ret.offset = o;
  }
  return ret;
}
