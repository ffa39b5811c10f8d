/** BSD loopback headers: DLT_NULL (address family in the writer's byte order) and DLT_LOOP (big-endian). */
import { DecodeState, fail, fits, P, u32, u32le, type Proto } from './state';

export interface NullLayer {
  readonly kind: 'null';
  readonly offset: number;
  readonly length: number;
  /** The address family: 2 IPv4; 24, 28 or 30 IPv6 (NetBSD/OpenBSD, FreeBSD, macOS); 10 IPv6 (Linux). */
  readonly family: number;
}

function byFamily(family: number): Proto {
  switch (family) {
    case 2: return P.IPV4;
    case 10: case 24: case 28: case 30: return P.IPV6;
    default: return P.PAYLOAD;
  }
}

/** DLT_NULL: the family is a host-order 32-bit number; families are small, so the order shows. */
export function decodeNull(s: DecodeState): void {
  if (!fits(s, 4, 'null')) return;
  const le = u32le(s.data, s.off);
  push(s, le > 0xffff ? u32(s.data, s.off) : le);
}

export function decodeLoop(s: DecodeState): void {
  if (!fits(s, 4, 'loop')) return;
  push(s, u32(s.data, s.off));
}

function push(s: DecodeState, family: number): void {
  const layer: NullLayer = { kind: 'null', offset: s.off, length: 4, family };
  s.layers.push(layer);
  s.off += 4;
  s.next = byFamily(family);
}

/** Raw IP (DLT_RAW): the version nibble says IPv4 or IPv6. */
export function decodeRawIp(s: DecodeState): void {
  if (!fits(s, 1, 'raw ip')) return;
  const v = s.data[s.off] >>> 4;
  if (v === 4) s.next = P.IPV4;
  else if (v === 6) s.next = P.IPV6;
  else fail(s, `raw ip: version field is ${v}, neither 4 nor 6`);
}
