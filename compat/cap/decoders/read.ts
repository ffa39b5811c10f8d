/**
 * Bounded reads and cap's text formats for addresses.
 *
 * cap 0.2.1 read with `noAssert`, so on the Node it was written for a read
 * past the end of the buffer gave garbage or NaN instead of a throw; on
 * today's Node the same reads throw RangeError. Ours give `undefined` for a
 * field that is not in the buffer, and the decoder marks its result
 * `truncated: true`, so no packet can make a decoder throw.
 */
import { formatHex } from '../../../index';
import { argError } from '../args';

/** One byte, or undefined past the end. */
export function u8(b: Uint8Array, o: number): number | undefined {
  return o < b.length ? b[o] : undefined;
}

/** A big-endian 16-bit field, or undefined if it does not fit. */
export function u16(b: Uint8Array, o: number): number | undefined {
  return o + 2 <= b.length ? (b[o] << 8) | b[o + 1] : undefined;
}

/** A big-endian unsigned 32-bit field, or undefined if it does not fit. */
export function u32(b: Uint8Array, o: number): number | undefined {
  return o + 4 <= b.length ? ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0 : undefined;
}

/** A big-endian signed 32-bit field, or undefined if it does not fit. */
export function i32(b: Uint8Array, o: number): number | undefined {
  const v = u32(b, o);
  return v === undefined ? undefined : v | 0;
}

/**
 * `count` bytes as two-digit lower-case hex joined by ':' — cap's format for
 * MAC addresses ("00:1b:21:0a:0b:0c") and also for IPv6 addresses, which cap
 * writes byte by byte ("20:01:0d:b8:…", 16 groups), not in RFC 5952 form.
 * A byte past the end is left out.
 */
export function hexBytes(b: Uint8Array, o: number, count: number): string {
  return o < b.length ? formatHex(b, o, Math.min(o + count, b.length)) : '';
}

/** Four bytes as a dotted quad ("198.18.0.1"); bytes past the end are left out. */
export function dotted(b: Uint8Array, o: number): string {
  const end = Math.min(o + 4, b.length);
  let s = '';
  for (let i = o; i < end; i++) s += (i === o ? '' : '.') + b[i];
  return s;
}

/**
 * Check a decoder's arguments and return where to start: cap's
 * `offset || (offset = 0)` (any falsy offset means the start). cap did no
 * checks and failed somewhere inside; ours says what is wrong, as a
 * TypeError (the type cap's own argument errors have) with code EINVAL.
 */
export function startOf(b: unknown, offset: unknown): number {
  if (!(b instanceof Uint8Array)) throw argError('buffer must be a Buffer or Uint8Array');
  const start = offset || 0;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) {
    throw argError(`offset must be a non-negative integer, not ${String(offset)}`);
  }
  return start;
}


/** Mark a result whose fixed-size header runs past the end of the buffer. */
export function markTruncated<T extends object>(ret: T, b: Uint8Array, end: number): T {
  if (end > b.length) (ret as T & { truncated?: boolean }).truncated = true;
  return ret;
}
