/**
 * Where savefile bytes come from: a path, '-' for stdin, or any Readable,
 * read into a buffer the caller owns (so memory stays constant whatever
 * the file's size).
 */
import { open, FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { PcapError, PcapErrorCode } from '../errors';

export interface ByteInput {
  /** Read up to `max` bytes into buf at `at`; 0 means end of input. */
  read(buf: Uint8Array, at: number, max: number): Promise<number>;
  close(): void;
}

class FileInput implements ByteInput {
  readonly #fh: FileHandle;
  #closed = false;

  constructor(fh: FileHandle) {
    this.#fh = fh;
  }

  async read(buf: Uint8Array, at: number, max: number): Promise<number> {
    if (this.#closed) return 0;
    const { bytesRead } = await this.#fh.read(buf, at, max, null);
    return bytesRead;
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
    return new FileInput(await open(input, 'r'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const code: PcapErrorCode = err.code === 'ENOENT' ? 'ENOENT' : err.code === 'EACCES' ? 'EPERM' : 'EIO';
    throw new PcapError(`cannot open ${input}: ${err.message}`, code);
  }
}
