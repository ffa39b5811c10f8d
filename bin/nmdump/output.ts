/**
 * Printed lines go to stdout in batches: one write per turn of the event
 * loop (or per line with -l), so printing costs a system call per batch,
 * not per packet, and live lines still appear without delay.
 */
import { writeSync } from 'node:fs';

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export class LineOutput {
  #pending: string[] = [];
  #scheduled = false;
  #broken = false;
  readonly #perLine: boolean;

  /** @param perLine flush after every line (-l) */
  constructor(perLine: boolean) {
    this.#perLine = perLine;
  }

  /** true once stdout is closed by its reader (e.g. `nmdump … | head`). */
  get broken(): boolean {
    return this.#broken;
  }

  /** Queue one line (without its newline). */
  line(text: string): void {
    this.#pending.push(text);
    if (this.#perLine || this.#pending.length >= 4096) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Write every queued line now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0 || this.#broken) return;
    const text = this.#pending.join('\n') + '\n';
    this.#pending = [];
    const bytes = Buffer.from(text);
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(1, bytes, off, bytes.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
          this.#broken = true; // EPIPE and the like: the reader has gone
          return;
        }
        // A non-blocking stdout is full: give its reader a moment.
        Atomics.wait(PAUSE, 0, 0, 5);
      }
    }
  }
}
