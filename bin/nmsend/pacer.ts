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
const hrNow = (): number => Number(process.hrtime.bigint());

/**
 * The last stretch before a due frame is spun, not slept: a futex wait or
 * a timer wakes tens of microseconds late (the kernel's timer slack is
 * 50 µs for ordinary threads), which was nmsend's median gap error;
 * tcpreplay spins too.
 */
export const SPIN_NS = 150_000;
/** Timers fire late by up to a few ms on a busy machine: end them this
 * early (the futex wait and the spin do the rest), and use them only for
 * waits long enough to let the event loop run meanwhile. */
const TIMER_EARLY_MS = 3;
const TIMER_MIN_NS = 5e6;

/**
 * Wait `ns` nanoseconds, so that the frame due then leaves on time. Long
 * waits (5 ms and more) go through a timer (signals and the progress line
 * run meanwhile), ending SPIN_NS and 3 ms early since timers are late; the
 * caller re-checks the clock and calls again. Shorter ones block in the
 * kernel (a futex wait) until SPIN_NS before the end, then spin on the
 * clock. Resolves whether the event loop ran.
 */
export async function pause(ns: number): Promise<boolean> {
  if (ns <= 0) return false;
  if (ns >= TIMER_MIN_NS) {
    await sleepMs(Math.floor((ns - SPIN_NS) / 1e6) - TIMER_EARLY_MS);
    return true;
  }
  const until = hrNow() + ns;
  if (ns > SPIN_NS) Atomics.wait(sleeper, 0, 0, (ns - SPIN_NS) / 1e6);
  while (hrNow() < until) { /* due within SPIN_NS: spin */ }
  return false;
}
