/** IPv6 (RFC 8200) and its extension header chain. */
import { formatIPv6Words } from './format';
import { byIpProtocol } from './ipproto';
import { copy, DecodeState, fail, fitsAt, fits, limit, NONE_LIST, P, u16, u32 } from './state';

/** A TLV option of a hop-by-hop or destination options header. */
export interface Ipv6Option {
  /** Option type (0 Pad1, 1 PadN, 5 router alert, 0xc2 jumbo payload, ...). */
  readonly type: number;
  /** Bytes of option data (0 for Pad1). */
  readonly length: number;
  readonly data: Uint8Array;
}

/** One extension header. `type` is its protocol number; the fields that apply to it are set. */
export interface Ipv6Extension {
  /** 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH, 50 ESP. */
  readonly type: number;
  readonly offset: number;
  /** Bytes of this header (ESP: the 8 bytes of SPI and sequence; what follows is encrypted). */
  readonly length: number;
  /** The header after this one (undefined for ESP: it is encrypted). */
  readonly nextHeader?: number;
  /** Hop-by-hop and destination options. */
  readonly options?: readonly Ipv6Option[];
  /** Routing header. */
  readonly routingType?: number;
  readonly segmentsLeft?: number;
  /** Fragment header: offset in 8-byte units, more-fragments flag, identification. */
  readonly fragmentOffset?: number;
  readonly moreFragments?: boolean;
  readonly id?: number;
  /** AH and ESP. */
  readonly spi?: number;
  readonly sequence?: number;
}

export interface Ipv6Layer {
  readonly kind: 'ipv6';
  readonly offset: number;
  /** 40 plus the extension headers' lengths. */
  readonly length: number;
  readonly version: number;
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  /** The fixed header's next header field. */
  readonly nextHeader: number;
  readonly hopLimit: number;
  /** RFC 5952 text (formatted when read). */
  readonly src: string;
  readonly dst: string;
  readonly extensions: readonly Ipv6Extension[];
  /** The protocol after the extension chain (59: none; 50: ESP, not decoded further). */
  readonly protocol: number;
}

class Ipv6 implements Ipv6Layer {
  readonly kind = 'ipv6' as const;
  readonly version = 6;
  length = 40;
  extensions: readonly Ipv6Extension[] = NONE_LIST;
  protocol: number;
  constructor(
    readonly offset: number, readonly trafficClass: number, readonly flowLabel: number, readonly payloadLength: number,
    readonly nextHeader: number, readonly hopLimit: number,
    private readonly s0: number, private readonly s1: number, private readonly s2: number, private readonly s3: number,
    private readonly d0: number, private readonly d1: number, private readonly d2: number, private readonly d3: number,
  ) { this.protocol = nextHeader; }
  get src(): string { return formatIPv6Words(this.s0, this.s1, this.s2, this.s3); }
  get dst(): string { return formatIPv6Words(this.d0, this.d1, this.d2, this.d3); }
  /** JSON.stringify shows the formatted addresses, not the storage. */
  toJSON(): object {
    const { kind, offset, length, version, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, src, dst, extensions, protocol } = this;
    return { kind, offset, length, version, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, src, dst, extensions, protocol };
  }
}

/** At most this many extension headers are walked (each is at least 8 bytes anyway). */
const MAX_EXTENSIONS = 32;

export function decodeIpv6(s: DecodeState): void {
  if (!fits(s, 40, 'ipv6')) return;
  const d = s.data;
  const o = s.off;
  const version = d[o] >>> 4;
  if (version !== 6) return fail(s, `ipv6: version field is ${version}, not 6`);
  const plen = u16(d, o + 4);
  const ip = new Ipv6(o, ((d[o] & 15) << 4) | (d[o + 1] >>> 4), ((d[o + 1] & 15) << 16) | u16(d, o + 2), plen,
    d[o + 6], d[o + 7], u32(d, o + 8), u32(d, o + 12), u32(d, o + 16), u32(d, o + 20),
    u32(d, o + 24), u32(d, o + 28), u32(d, o + 32), u32(d, o + 36));
  s.layers.push(ip);
  // Payload length 0: a jumbogram (RFC 2675) or a BIG TCP / offload packet; the capture bounds it.
  if (plen !== 0) limit(s, o + 40 + plen);
  let at = o + 40;
  let nh = d[o + 6];
  let exts: Ipv6Extension[] | null = null;
  let upper = true;
  while (isExtension(nh)) {
    if (exts === null) ip.extensions = exts = [];
    if (exts.length >= MAX_EXTENSIONS) return fail(s, `ipv6: more than ${MAX_EXTENSIONS} extension headers`);
    const ext = extension(s, nh, at);
    if (ext === null) return;
    exts.push(ext);
    at += ext.length;
    ip.length = at - o;
    if (nh === 50) { nh = 50; upper = false; break; } // ESP: the rest is encrypted
    if (nh === 44 && (ext.fragmentOffset !== 0)) upper = false; // not the first fragment
    nh = ext.nextHeader!;
  }
  ip.protocol = nh;
  s.off = at;
  s.next = nh === 59 ? P.PAYLOAD : upper ? byIpProtocol(nh) : P.PAYLOAD;
}

function isExtension(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 60 || nh === 51 || nh === 50;
}

function extension(s: DecodeState, type: number, at: number): Ipv6Extension | null {
  const d = s.data;
  const name = EXT_NAMES[type];
  if (type === 50) {
    if (!fitsAt(s, at, 8, name)) return null;
    return { type, offset: at, length: 8, spi: u32(d, at), sequence: u32(d, at + 4) };
  }
  if (type === 44) {
    if (!fitsAt(s, at, 8, name)) return null;
    const fo = u16(d, at + 2);
    return { type, offset: at, length: 8, nextHeader: d[at], fragmentOffset: fo >>> 3, moreFragments: (fo & 1) === 1, id: u32(d, at + 4) };
  }
  if (!fitsAt(s, at, 2, name)) return null;
  if (type === 51) {
    const length = (d[at + 1] + 2) * 4;
    if (!fitsAt(s, at, Math.max(length, 12), name)) return null;
    return { type, offset: at, length, nextHeader: d[at], spi: u32(d, at + 4), sequence: u32(d, at + 8) };
  }
  const length = (d[at + 1] + 1) * 8;
  if (!fitsAt(s, at, length, name)) return null;
  if (type === 43) {
    return { type, offset: at, length, nextHeader: d[at], routingType: d[at + 2], segmentsLeft: d[at + 3] };
  }
  const options = tlvOptions(s, at + 2, at + length, name);
  if (options === null) return null;
  return { type, offset: at, length, nextHeader: d[at], options };
}

const EXT_NAMES: Record<number, string> = {
  0: 'ipv6 hop-by-hop', 43: 'ipv6 routing', 44: 'ipv6 fragment', 60: 'ipv6 destination options', 51: 'ipv6 ah', 50: 'ipv6 esp',
};

function tlvOptions(s: DecodeState, at: number, end: number, name: string): Ipv6Option[] | null {
  const d = s.data;
  const out: Ipv6Option[] = [];
  while (at < end) {
    const type = d[at];
    if (type === 0) { out.push({ type, length: 0, data: copy(d, at, at) }); at++; continue; }
    if (at + 2 > end || at + 2 + d[at + 1] > end) {
      fail(s, `${name}: option ${type} at offset ${at} overruns the header`);
      return null;
    }
    const len = d[at + 1];
    out.push({ type, length: len, data: copy(d, at + 2, at + 2 + len) });
    at += 2 + len;
  }
  return out;
}
