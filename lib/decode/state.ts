/**
 * The decoder's working state and the helpers every protocol decoder uses
 * to read fields and to stop cleanly on bad input.
 *
 * Each protocol decoder reads `off`..`end` of `data`, pushes its layer, and
 * says what follows by setting `next` (one of {@link P}) and moving `off` /
 * `end`. The driver (packet.ts) loops over `next`, so protocol files never
 * import each other and a malformed packet can never recurse.
 */
import type { Layer } from './types';

/** What the driver decodes next. Numbers index the driver's table. */
export const P = {
  NONE: 0,
  PAYLOAD: 1,
  ETHERNET: 2,
  VLAN: 3,
  ARP: 4,
  LLC: 5,
  SNAP: 6,
  IPV4: 7,
  IPV6: 8,
  TCP: 9,
  UDP: 10,
  ICMP: 11,
  ICMPV6: 12,
  IGMP: 13,
  DNS: 14,
  DNS_TCP: 15,
  SLL: 16,
  SLL2: 17,
  NULL: 18,
  LOOP: 19,
  RAW_IP: 20,
  RADIOTAP: 21,
  IEEE80211: 22,
} as const;
export type Proto = (typeof P)[keyof typeof P];

export class DecodeState {
  /** Where the current protocol's bytes start. */
  off = 0;
  /** Where they end: the captured end, or sooner if an enclosing length says so. */
  end: number;
  next: Proto = P.NONE;
  readonly layers: Layer[] = [];
  truncated = false;
  error: string | undefined = undefined;

  constructor(readonly data: Uint8Array, off: number, end: number) {
    this.off = off;
    this.end = end;
  }
}

/**
 * true if `n` bytes from `s.off` are there. Otherwise records why not (cut
 * by the capture: truncated; cut by an enclosing length: malformed) and
 * stops decoding.
 */
export function fits(s: DecodeState, n: number, name: string): boolean {
  if (s.off + n <= s.end) return true;
  return short(s, s.off, n, name);
}

/** Like {@link fits} for `n` bytes at `at` (inside the current protocol). */
export function fitsAt(s: DecodeState, at: number, n: number, name: string): boolean {
  if (at + n <= s.end) return true;
  return short(s, at, n, name);
}

function short(s: DecodeState, at: number, n: number, name: string): false {
  const left = Math.max(0, s.end - at);
  if (s.end >= s.data.length) {
    s.truncated = true;
    fail(s, `${name}: needs ${n} bytes at offset ${at}, only ${left} captured`);
  } else {
    fail(s, `${name}: needs ${n} bytes at offset ${at}, but the enclosing length leaves ${left}`);
  }
  return false;
}

/** Stop decoding with a message saying what is wrong where. */
export function fail(s: DecodeState, message: string): void {
  if (s.error === undefined) s.error = message;
  s.next = P.NONE;
}

/**
 * The current protocol says its bytes end at `declaredEnd`: bound the
 * following layers to it. If fewer bytes were captured, the packet is
 * truncated (decoding goes on with what there is).
 */
export function limit(s: DecodeState, declaredEnd: number): void {
  if (declaredEnd > s.end) {
    if (s.end >= s.data.length) s.truncated = true;
  } else {
    s.end = declaredEnd;
  }
}

export const u16 = (d: Uint8Array, i: number): number => (d[i] << 8) | d[i + 1];
export const u16le = (d: Uint8Array, i: number): number => d[i] | (d[i + 1] << 8);
export const u32 = (d: Uint8Array, i: number): number =>
  d[i] * 0x1000000 + ((d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]);
export const u32le = (d: Uint8Array, i: number): number =>
  d[i + 3] * 0x1000000 + ((d[i + 2] << 16) | (d[i + 1] << 8) | d[i]);
/** A big-endian 32-bit field as a signed integer (kept unboxed by V8; `>>> 0` makes it unsigned). */
export const i32 = (d: Uint8Array, i: number): number => (d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3];
/** A 48-bit MAC address as a number (exact: below 2^53). */
export const u48 = (d: Uint8Array, i: number): number =>
  ((d[i] << 8) | d[i + 1]) * 0x100000000 + u32(d, i + 2);

/** A copy (never a view: packet memory may be a ring slot reused later). */
export const copy = (d: Uint8Array, from: number, to: number): Uint8Array => Uint8Array.prototype.slice.call(d, from, to);

/** Shared by layers with nothing in a list, so the fast path allocates no arrays. */
export const NONE_LIST: readonly never[] = Object.freeze([]);
