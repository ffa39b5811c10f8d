/** IPv4 (RFC 791) with its options. */
import { formatIPv4 } from './format';
import { byIpProtocol } from './ipproto';
import { copy, DecodeState, fail, fits, i32, limit, NONE_LIST, P, u16 } from './state';

/** One IPv4 option. EOL and NOP have length 1 and no data. */
export interface Ipv4Option {
  /** The option type byte (copied flag, class and number), e.g. 7 record route, 68 timestamp, 148 router alert. */
  readonly type: number;
  readonly length: number;
  /** The bytes after type and length (a copy). */
  readonly data: Uint8Array;
}

export interface Ipv4Layer {
  readonly kind: 'ipv4';
  readonly offset: number;
  /** Header length in bytes (IHL × 4), options included. */
  readonly length: number;
  readonly version: number;
  /** The whole TOS byte; dscp = tos >> 2, ecn = tos & 3. */
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  /** The three flag bits (4: reserved, 2: DF, 1: MF). */
  readonly flags: number;
  /** Fragment offset in 8-byte units. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  /** "a.b.c.d" (formatted when read). */
  readonly src: string;
  readonly dst: string;
  /** The addresses as unsigned 32-bit numbers. */
  readonly srcAddr: number;
  readonly dstAddr: number;
  readonly options: readonly Ipv4Option[];
}

/**
 * Addresses are kept as signed 32-bit integers: V8 stores those inline
 * (small integers), where an unsigned value of 2^31 or more would be a
 * separate heap number, allocated per packet.
 */
class Ipv4 implements Ipv4Layer {
  readonly kind = 'ipv4' as const;
  readonly version = 4;
  options: readonly Ipv4Option[] = NONE_LIST;
  constructor(
    readonly offset: number, readonly length: number, readonly tos: number, readonly totalLength: number,
    readonly id: number, readonly flags: number, readonly fragmentOffset: number, readonly ttl: number,
    readonly protocol: number, readonly checksum: number, private readonly src32: number, private readonly dst32: number,
  ) {}
  get srcAddr(): number { return this.src32 >>> 0; }
  get dstAddr(): number { return this.dst32 >>> 0; }
  get src(): string { return formatIPv4(this.src32); }
  get dst(): string { return formatIPv4(this.dst32); }
  /** JSON.stringify shows the formatted addresses, not the storage. */
  toJSON(): object {
    const { kind, offset, length, version, tos, totalLength, id, flags, fragmentOffset, ttl, protocol, checksum, src, dst, options } = this;
    return { kind, offset, length, version, tos, totalLength, id, flags, fragmentOffset, ttl, protocol, checksum, src, dst, options };
  }
}

export function decodeIpv4(s: DecodeState): void {
  if (!fits(s, 20, 'ipv4')) return;
  const d = s.data;
  const o = s.off;
  const version = d[o] >>> 4;
  const ihl = (d[o] & 15) * 4;
  if (version !== 4) return fail(s, `ipv4: version field is ${version}, not 4`);
  if (ihl < 20) return fail(s, `ipv4: header length ${ihl} is below the minimum 20`);
  if (!fits(s, ihl, 'ipv4')) return;
  const total = u16(d, o + 2);
  const frag = u16(d, o + 6);
  const ip = new Ipv4(o, ihl, d[o + 1], total, u16(d, o + 4), frag >>> 13, frag & 0x1fff, d[o + 8], d[o + 9],
    u16(d, o + 10), i32(d, o + 12), i32(d, o + 16));
  s.layers.push(ip);
  if (ihl > 20) {
    const list: Ipv4Option[] = [];
    ip.options = list;
    if (!options(s, list, o + 20, o + ihl)) return;
  }
  // 0: segmentation offload (TSO, BIG TCP) left the field for the NIC to fill; the capture bounds the packet.
  if (total !== 0) {
    if (total < ihl) return fail(s, `ipv4: total length ${total} is below the header length ${ihl}`);
    limit(s, o + total);
  }
  s.off = o + ihl;
  // Only the first fragment starts with the next protocol's header.
  s.next = (frag & 0x1fff) === 0 ? byIpProtocol(d[o + 9]) : P.PAYLOAD;
}

/** Options into `out`; false (and decoding stops) at a malformed one. */
function options(s: DecodeState, out: Ipv4Option[], at: number, end: number): boolean {
  const d = s.data;
  while (at < end) {
    const type = d[at];
    if (type === 0 || type === 1) {
      out.push({ type, length: 1, data: copy(d, at + 1, at + 1) });
      at++;
      if (type === 0) break; // end of list: the rest is padding
      continue;
    }
    const len = at + 1 < end ? d[at + 1] : 0;
    if (len < 2 || at + len > end) {
      fail(s, `ipv4: option ${type} at offset ${at} has length ${len}, outside 2..${end - at}`);
      return false;
    }
    out.push({ type, length: len, data: copy(d, at + 2, at + len) });
    at += len;
  }
  return true;
}
