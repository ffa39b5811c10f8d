/**
 * cap's argument checks, with its messages and error types: a TypeError for
 * a bad argument, an Error for a bad state. Each also carries our stable
 * `code` (EINVAL, ECLOSED) — cap's types are kept rather than PcapError so
 * that code written against cap (`err instanceof TypeError`) still works.
 */
/** A TypeError carrying our stable error code. */
export function argError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'EINVAL' as const });
}

/** V8's IsUint32 (what cap's native code tested): an integer number in [0, 2^32). */
export function isUint32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff && !Object.is(v, -0);
}

/** Node's Buffer::HasInstance: a Buffer or any other ArrayBuffer view. */
export function isBufferLike(v: unknown): v is ArrayBufferView {
  return ArrayBuffer.isView(v);
}

/** The bytes of a Buffer-like, as a Buffer over the same memory (no copy). */
export function bytesOf(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** An Error for using a Cap that is not open, with cap's Windows-build text. */
export function notOpen(): Error {
  return Object.assign(new Error('Not currently capturing/open'), { code: 'ECLOSED' as const });
}
