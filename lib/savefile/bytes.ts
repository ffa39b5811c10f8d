/**
 * Unsigned reads from a byte array in either byte order. Plain functions over
 * the caller's Uint8Array (no DataView per buffer), small enough to inline.
 */

export function rd16(buf: Uint8Array, p: number, le: boolean): number {
  return le ? buf[p] | (buf[p + 1] << 8) : (buf[p] << 8) | buf[p + 1];
}

export function rd32(buf: Uint8Array, p: number, le: boolean): number {
  return le
    ? (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0
    : ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
}

/** A signed 64-bit value as a double (exact below 2^53 in magnitude). */
export function rd64s(buf: Uint8Array, p: number, le: boolean): number {
  const a = rd32(buf, p, le);
  const b = rd32(buf, p + 4, le);
  const hi = le ? b : a;
  const lo = le ? a : b;
  return (hi | 0) * 4294967296 + lo;
}
