/** ICMP for IPv4 (RFC 792). */
import { formatIPv4 } from './format';
import { DecodeState, fits, P, u16, u32 } from './state';

export interface IcmpLayer {
  readonly kind: 'icmp';
  readonly offset: number;
  /** 8: type, code, checksum and the 4-byte rest of header. */
  readonly length: number;
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** Bytes 4-7 as one number; the fields below interpret it where the type defines them. */
  readonly rest: number;
  /** Echo (0, 8), timestamp (13, 14), information (15, 16) and address mask (17, 18). */
  readonly id?: number;
  readonly seq?: number;
  /** Redirect (5): the gateway address. */
  readonly gateway?: string;
  /** Destination unreachable, fragmentation needed (3/4): the next-hop MTU. */
  readonly mtu?: number;
  /** Parameter problem (12): the byte the problem is at. */
  readonly pointer?: number;
}

export function decodeIcmp(s: DecodeState): void {
  if (!fits(s, 8, 'icmp')) return;
  const d = s.data;
  const o = s.off;
  const type = d[o];
  const code = d[o + 1];
  const rest = u32(d, o + 4);
  const layer: IcmpLayer = { kind: 'icmp', offset: o, length: 8, type, code, checksum: u16(d, o + 2), rest };
  const l = layer as { -readonly [K in keyof IcmpLayer]: IcmpLayer[K] };
  if (type === 0 || type === 8 || (type >= 13 && type <= 18)) { l.id = u16(d, o + 4); l.seq = u16(d, o + 6); }
  else if (type === 5) l.gateway = formatIPv4(rest);
  else if (type === 3 && code === 4) l.mtu = u16(d, o + 6);
  else if (type === 12) l.pointer = d[o + 4];
  s.layers.push(layer);
  s.off = o + 8;
  s.next = P.PAYLOAD;
}
