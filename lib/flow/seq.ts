/** TCP sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): comparisons that survive wrap-around. */

/** a - b as a signed 32-bit distance: > 0 when a is after b, within 2^31. */
export const seqDiff = (a: number, b: number): number => (a - b) | 0;

/** a + n, wrapped to an unsigned 32-bit sequence number. */
export const seqAdd = (a: number, n: number): number => (a + n) >>> 0;
