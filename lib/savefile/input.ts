/**
 * Where savefile bytes come from: a path, '-' for stdin, or any Readable,
 * read into a buffer the caller owns (so memory stays constant whatever
 * the file's size).
 */
import { open, FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { native } from '../binding';
import { PcapError, PcapErrorCode } from '../errors';

export interface ByteInput {
  /** Read up to `max` bytes into buf at `at`; 0 means end of input. */
  read(buf: Uint8Array, at: number, max: number): Promise<number>;
  /**
   * The same, at once, if it needs no waiting (the bytes are in the page
   * cache): the count (0 = end of input), or -1 when only read() can.
   * Never called while a read() is pending.
   */
  readNow(buf: Uint8Array, at: number, max: number): number;
  close(): void;
}

class FileInput implements ByteInput {
  readonly #fh: FileHandle;
  /** A regular file: positioned reads, and readNow() may work. */
  readonly #seekable: boolean;
  #nowait: boolean;
  /** Where the next read starts. */
  #pos = 0;
  #closed = false;

  constructor(fh: FileHandle, seekable: boolean) {
    this.#fh = fh;
    this.#seekable = seekable;
    this.#nowait = seekable;
  }

  async read(buf: Uint8Array, at: number, max: number): Promise<number> {
    if (this.#closed) return 0;
    const { bytesRead } = await this.#fh.read(buf, at, max, this.#seekable ? this.#pos : null);
    this.#pos += bytesRead;
    return bytesRead;
  }

  readNow(buf: Uint8Array, at: number, max: number): number {
    if (this.#closed || !this.#nowait) return -1;
    const got = native.readCached(this.#fh.fd, buf.buffer as ArrayBuffer, buf.byteOffset + at, max, this.#pos);
    if (got === -2) this.#nowait = false; // this file system cannot: threads from now on
    if (got < 0) return -1;
    this.#pos += got;
    return got;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fh.close().catch(() => {});
  }
}

/** A Readable, pulled with read() so that backpressure holds. */
class StreamInput implements ByteInput {
  readonly #stream: Readable;
  #pending: Buffer | null = null;
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(stream: Readable) {
    this.#stream = stream;
    const wake = (): void => { const w = this.#wake; this.#wake = null; w?.(); };
    stream.on('readable', wake);
    stream.on('end', () => { this.#ended = true; wake(); });
    stream.on('error', (e) => { this.#error = e; wake(); });
  }

  async read(buf: Uint8Array, at: number, max: number): Promise<number> {
    for (;;) {
      if (this.#error) throw new PcapError(`reading the savefile failed: ${this.#error.message}`, 'EIO');
      const chunk: Buffer | null = this.#pending ?? this.#stream.read();
      if (chunk) {
        const n = Math.min(max, chunk.length);
        buf.set(chunk.subarray(0, n), at);
        this.#pending = n < chunk.length ? chunk.subarray(n) : null;
        return n;
      }
      if (this.#ended || this.#stream.readableEnded) return 0;
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
  }

  readNow(): number {
    return -1; // a stream's bytes come through its events
  }

  close(): void {
    this.#ended = true;
    if (this.#stream !== process.stdin) this.#stream.destroy();
  }
}

/** Open a path, '-' (stdin) or a Readable for reading. */
export async function openInput(input: string | Readable): Promise<ByteInput> {
  if (input === '-') return new StreamInput(process.stdin);
  if (input instanceof Readable) return new StreamInput(input);
  if (typeof input !== 'string' || input.length === 0) {
    throw new PcapError('a savefile is a path, \'-\' for stdin, or a Readable', 'EINVAL');
  }
  try {
    const fh = await open(input, 'r');
    try {
      return new FileInput(fh, (await fh.stat()).isFile());
    } catch (e) {
      await fh.close();
      throw e;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const code: PcapErrorCode = err.code === 'ENOENT' ? 'ENOENT' : err.code === 'EACCES' ? 'EPERM' : 'EIO';
    throw new PcapError(`cannot open ${input}: ${err.message}`, code);
  }
}
