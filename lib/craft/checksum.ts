/**
 * The Internet checksum (RFC 1071): the ones'-complement of the
 * ones'-complement sum of 16-bit big-endian words.
 */

/**
 * Add `bytes[start, end)` as big-endian 16-bit words to `sum` (an odd
 * trailing byte is padded with a zero byte). The result is not folded:
 * feed it to another `checksumAdd` or to `checksumFinish`.
 */
export function checksumAdd(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  // Deferred carries: 32-bit-safe for any frame (2^16 words of 2^16 each).
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Fold the carries of a `checksumAdd` sum and complement it: the field's value. */
export function checksumFinish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * The Internet checksum of `bytes[start, end)`. Over data that already
 * holds its correct checksum field, the result is 0.
 */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return checksumFinish(checksumAdd(bytes, start, end));
}
