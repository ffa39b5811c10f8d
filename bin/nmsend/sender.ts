/**
 * The send loop: frames from a source go straight into the TX ring's
 * slots, as many as are due, then one sync() sends the batch. Between
 * batches it sleeps until the next frame is due, and it yields to the
 * event loop at least every few milliseconds so signals and the progress
 * line are handled.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { ringLayout } from '../../lib/ring';
import type { Ring } from '../../lib/ring';
import { Pacer, pause } from './pacer';
import type { BatchTime, FrameSource } from './source';

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, LEN } = ringLayout;
const MIN_FRAME = ringLayout.TX_MIN_LEN;
/** Longest stretch without giving the event loop a turn. */
const YIELD_NS = 10e6;
/** The longest wait for room in a full ring (the loop yields after it). */
const FULL_WAIT_MS = 10;
/** How long the final flush may wait for the ring to empty. */
const FLUSH_NS = 2e9;

export type StopReason = 'count' | 'end' | 'duration' | 'signal' | 'error';

/** What the run did, for the progress line and the summary. */
export interface Totals {
  sent: number;
  bytes: number;
  /** Frames not sent: shorter than 14 bytes or longer than the link takes. */
  failed: number;
  /** ns from the first frame to the latest check of the clock (the deadline, if it passed). */
  elapsedNs: number;
}

export interface SendLimits {
  maxFrames: number;
  maxSeconds: number;
}

const hrNow = (): number => Number(process.hrtime.bigint());

export class Sender {
  readonly totals: Totals = { sent: 0, bytes: 0, failed: 0, elapsedNs: 0 };
  #stopping = false;
  readonly #tx: Ring;
  readonly #source: FrameSource;
  readonly #pacer: Pacer;
  readonly #limits: SendLimits;

  constructor(tx: Ring, source: FrameSource, pacer: Pacer, limits: SendLimits) {
    this.#tx = tx;
    this.#source = source;
    this.#pacer = pacer;
    this.#limits = limits;
  }

  /** Ask the loop to stop after its current batch (from a signal handler). */
  stop(): void {
    this.#stopping = true;
  }

  /** Send until a limit, the end of the input, or stop(). Throws what the ring throws. */
  async run(): Promise<StopReason> {
    const tx = this.#tx;
    const src = this.#source;
    const pacer = this.#pacer;
    const { words, numSlots, bufSize } = tx;
    const bytes = Buffer.from(tx.buffer);
    const totals = this.totals;
    const deadline = this.#limits.maxSeconds * 1e9;
    const maxFrames = this.#limits.maxFrames;
    // The clock starts at the first frame, not before the first file is open.
    if (!src.hasFrame() && !(await src.refill())) return 'end';
    const start = hrNow();
    // The wall clock at start as seconds + ns (µs-precise), so stamps need
    // no number above 2^53.
    const wallMs = performance.timeOrigin + performance.now();
    const wallSec = Math.floor(wallMs / 1000);
    const wallNsec = Math.round((wallMs - wallSec * 1000) * 1e6);
    const time: BatchTime = { sec: 0, nsec: 0 };
    let lastYield = start;
    for (;;) {
      const clock = hrNow() - start;
      // Past the deadline: one last batch, of the frames due before it.
      const last = clock >= deadline;
      const now = last ? deadline - 1 : clock;
      totals.elapsedNs = last ? deadline : clock;
      if (this.#stopping) return 'signal';
      if (totals.sent >= maxFrames) return 'count';
      if (!src.hasFrame()) {
        if (last) return 'duration';
        if (!(await src.refill())) return 'end';
        continue;
      }
      const nsec = wallNsec + now;
      time.sec = wallSec + Math.floor(nsec / 1e9);
      time.nsec = nsec % 1e9;
      let h = words[HEAD];
      const tail = words[TAIL];
      let wait = 0;
      let batchBytes = 0;
      let filled = 0;
      while (h !== tail && totals.sent + filled < maxFrames && src.hasFrame()) {
        const len = src.len();
        if (len < MIN_FRAME || len > bufSize) {
          totals.failed++;
          src.skip();
          continue;
        }
        const due = pacer.due(len, src.tsNs());
        if (due > now) {
          wait = due - now;
          break;
        }
        const slot = SLOT0 + h * SLOT_WORDS;
        src.take(bytes, words[slot + OFFSET], time);
        words[slot + LEN] = len;
        pacer.took(len);
        batchBytes += len;
        filled++;
        h = h + 1 === numSlots ? 0 : h + 1;
      }
      if (filled > 0 || h === tail) {
        words[HEAD] = h;
        words[CUR] = h;
        // Sends the batch; never waits. A ring still full waits here
        // (bounded) for room instead of spinning on sync().
        if (tx.sync() === 0) tx.wait(FULL_WAIT_MS);
        totals.sent += filled;
        totals.bytes += batchBytes;
      }
      if (last) return 'duration';
      if (wait > 0 && (await pause(Math.min(wait, deadline - now)))) {
        lastYield = hrNow();
      } else if (hrNow() - lastYield > YIELD_NS) {
        await turn();
        lastYield = hrNow();
      }
    }
  }

  /**
   * Push out what the ring still holds (frames a full link refused are
   * retried by sync()), for at most two seconds. Returns whether it emptied.
   */
  async flush(): Promise<boolean> {
    const tx = this.#tx;
    const until = hrNow() + FLUSH_NS;
    for (;;) {
      tx.sync();
      if (tx.space === tx.numSlots - 1) return true;
      if (hrNow() > until) return false;
      await pause(1e5);
    }
  }
}
