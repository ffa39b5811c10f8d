/**
 * Rate control: when each frame is due, as nanoseconds after the first
 * send. The schedule is absolute, so a late wake-up makes the next batch
 * bigger instead of slowing the whole run: the average rate holds.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Pacing } from './options';

export class Pacer {
  readonly #pacing: Pacing;
  #frames = 0;
  #bits = 0;

  constructor(pacing: Pacing) {
    this.#pacing = pacing;
  }

  /**
   * When the next frame is due: `len` is its size in bytes, `tsNs` its
   * capture time after the first frame's (used by --multiplier only).
   */
  due(len: number, tsNs: number): number {
    const p = this.#pacing;
    switch (p.kind) {
      case 'topspeed': return 0;
      case 'pps': return (this.#frames * 1e9) / p.pps;
      // bits before this frame at mbps Mbit/s; the frame's own bits follow it
      case 'mbps': return (this.#bits * 1e3) / p.mbps;
      case 'multiplier': return tsNs / p.factor;
    }
  }

  /** Count a frame as scheduled. */
  took(len: number): void {
    this.#frames++;
    this.#bits += len * 8;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleep about `ns` nanoseconds without spinning. Long waits go through a
 * timer (and let signals and the progress line run), waking a millisecond
 * early since timers are late; short ones block in the kernel (a futex
 * wait, accurate to tens of microseconds), so high rates keep their
 * precision, but they do not give the event loop a turn. The caller
 * re-checks the clock either way. Resolves whether the event loop ran.
 */
export async function pause(ns: number): Promise<boolean> {
  if (ns >= 2e6) {
    await sleepMs(Math.floor(ns / 1e6) - 1);
    return true;
  }
  if (ns > 0) Atomics.wait(sleeper, 0, 0, ns / 1e6);
  return false;
}
