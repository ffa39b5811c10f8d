/** ICMPv6 (RFC 4443) with neighbour discovery (RFC 4861). */
import { formatHex, formatIPv6 } from './format';
import { copy, DecodeState, fail, fitsAt, fits, P, u16, u32 } from './state';

/** A neighbour discovery option; the fields that apply to its type are set. */
export interface NdOption {
  /** 1 source / 2 target link-layer address, 3 prefix information, 4 redirected header, 5 MTU, 25 RDNSS, ... */
  readonly type: number;
  /** Bytes of the whole option (the length field × 8). */
  readonly length: number;
  /** Types 1 and 2. */
  readonly linkAddress?: string;
  /** Type 3. */
  readonly prefixLength?: number;
  readonly prefixFlags?: number;
  readonly validLifetime?: number;
  readonly preferredLifetime?: number;
  readonly prefix?: string;
  /** Type 5. */
  readonly mtu?: number;
  /** Other types: the bytes after type and length. */
  readonly data?: Uint8Array;
}

export interface Icmpv6Layer {
  readonly kind: 'icmpv6';
  readonly offset: number;
  /** The bytes decoded: 8 for most types; for neighbour discovery the whole message, options included. */
  readonly length: number;
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** Echo request / reply (128, 129). */
  readonly id?: number;
  readonly seq?: number;
  /** Packet too big (2). */
  readonly mtu?: number;
  /** Parameter problem (4). */
  readonly pointer?: number;
  /** Router advertisement (134). */
  readonly curHopLimit?: number;
  readonly routerLifetime?: number;
  readonly reachableTime?: number;
  readonly retransTimer?: number;
  /** RA: M 0x80, O 0x40, ...; NA: R 0x80, S 0x40, O 0x20. */
  readonly ndFlags?: number;
  /** Neighbour solicitation / advertisement (135, 136) and redirect (137). */
  readonly targetAddress?: string;
  /** Redirect (137). */
  readonly destinationAddress?: string;
  /** MLD query / report / done (130-132): the multicast address and the maximum response delay. */
  readonly multicastAddress?: string;
  readonly maxResponseDelay?: number;
  /** Neighbour discovery options (133-137). */
  readonly options?: readonly NdOption[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Where the options of each neighbour discovery type start. */
const ND_OPTIONS_AT: Record<number, number> = { 133: 8, 134: 16, 135: 24, 136: 24, 137: 40 };

export function decodeIcmpv6(s: DecodeState): void {
  if (!fits(s, 8, 'icmpv6')) return;
  const d = s.data;
  const o = s.off;
  const type = d[o];
  const l: Mutable<Icmpv6Layer> = { kind: 'icmpv6', offset: o, length: 8, type, code: d[o + 1], checksum: u16(d, o + 2) };
  s.layers.push(l);
  s.next = P.PAYLOAD;
  if (type === 128 || type === 129) { l.id = u16(d, o + 4); l.seq = u16(d, o + 6); }
  else if (type === 2) l.mtu = u32(d, o + 4);
  else if (type === 4) l.pointer = u32(d, o + 4);
  else if (type >= 130 && type <= 132) {
    if (!fits(s, 24, 'icmpv6 mld')) return;
    l.maxResponseDelay = u16(d, o + 4);
    l.multicastAddress = formatIPv6(d, o + 8);
    l.length = 24;
    s.off = o + 24;
    return;
  } else if (type in ND_OPTIONS_AT) {
    const optAt = o + ND_OPTIONS_AT[type];
    if (!fits(s, optAt - o, 'icmpv6 nd')) return;
    if (type === 134) {
      l.curHopLimit = d[o + 4]; l.ndFlags = d[o + 5]; l.routerLifetime = u16(d, o + 6);
      l.reachableTime = u32(d, o + 8); l.retransTimer = u32(d, o + 12);
    } else if (type === 136) l.ndFlags = d[o + 4];
    if (type >= 135) l.targetAddress = formatIPv6(d, o + 8);
    if (type === 137) l.destinationAddress = formatIPv6(d, o + 24);
    const options: NdOption[] = [];
    l.options = options;
    const end = ndOptions(s, optAt, options);
    l.length = end - o;
    s.off = end;
    return;
  }
  s.off = o + 8;
}

/** Options from `at` to the end of the message; returns where decoding stopped. */
function ndOptions(s: DecodeState, at: number, out: NdOption[]): number {
  const d = s.data;
  while (at < s.end) {
    if (!fitsAt(s, at, 2, 'icmpv6 nd option')) return at;
    const type = d[at];
    const length = d[at + 1] * 8;
    if (length === 0) { fail(s, `icmpv6: nd option ${type} at offset ${at} has length 0`); return at; }
    if (!fitsAt(s, at, length, 'icmpv6 nd option')) return at;
    if (type === 1 || type === 2) out.push({ type, length, linkAddress: formatHex(d, at + 2, at + length) });
    else if (type === 3 && length === 32) {
      out.push({ type, length, prefixLength: d[at + 2], prefixFlags: d[at + 3], validLifetime: u32(d, at + 4),
        preferredLifetime: u32(d, at + 8), prefix: formatIPv6(d, at + 16) });
    } else if (type === 5 && length === 8) out.push({ type, length, mtu: u32(d, at + 4) });
    else out.push({ type, length, data: copy(d, at + 2, at + length) });
    at += length;
  }
  return at;
}
