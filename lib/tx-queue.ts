/**
 * Transparent TX batching (docs/shapes.md §1 and §2): frames are copied
 * into the TX ring's next free slots at once, and the kernel is kicked (one
 * txsync) once per turn of the event loop, when the ring fills, on flush(),
 * before any other synchronous call on the session, on close() and at
 * process exit. A loop of single inject() calls thus costs one system call
 * per ring-full, netmap's whole point, without changing the caller.
 *
 * txsync never blocks. A synchronous send that finds the ring full waits
 * for room at most `waitMs` (port.txWait, a poll for POLLOUT where the
 * descriptor has it), then throws EAGAIN with `sent`. send() waits through
 * the event loop instead. A failure found at a deferred kick goes to the
 * session's `report` (an 'error' listener, or the next call).
 */
import type { NativePort } from './binding';
import { PcapError, PcapErrorCode } from './errors';
import { Ring, ringLayout } from './ring';

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, LEN } = ringLayout;
/** A frame shorter than an Ethernet header cannot be sent (C's bound). */
export const MIN_FRAME = ringLayout.TX_MIN_LEN;
/** How long close() and process exit wait for queued frames to leave. */
export const DRAIN_MS = 100;
/** Re-kicks of frames a full device refused, while the program idles:
 * first after 1 ms, doubling up to this. */
const RETRY_MAX_MS = 100;

/** A PcapError with how far the send got. */
export type TxError = PcapError & {
  /** Frames sent: of this call (synchronous sends, send()), or that the
   * kernel took since the session opened (a deferred kick's failure). */
  sent: number;
  /** Deferred failures: the index, counted since the session opened, of
   * the first frame not sent. */
  frame?: number;
};

function txError(message: string, code: PcapErrorCode, sent: number, frame?: number,
                 cause?: unknown): TxError {
  const err = new PcapError(message, code) as TxError;
  err.sent = sent;
  if (frame !== undefined) err.frame = frame;
  if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause, configurable: true });
  return err;
}

/** Sleep this thread (close() and exit drain: no event loop to wait in). */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Queues with frames that must leave before the process does. */
const unsettled = new Set<TxQueue>();
/** Queues holding frames written since their last kick. */
const queued = new Set<TxQueue>();

/**
 * Kick every queue in the process that holds unsent frames; failures are
 * reported (deferred), never thrown. Runs before every synchronous call on
 * any live session and before every RX sync, so a thread that injects on
 * one port and then waits on another without turning the event loop
 * (`a.inject(f); while (b.waitReadable(100)) b.dispatch(...)`) never
 * strands the frame, as it would not with pcap_inject().
 */
export function kickQueued(): void {
  if (queued.size === 0) return;
  for (const q of queued) q.kickDeferred();
}
let exitHooked = false;
function onExit(): void {
  for (const q of unsettled) q.drain(DRAIN_MS);
}

export class TxQueue {
  readonly ring: Ring;
  readonly #port: NativePort;
  readonly #device: string;
  readonly #waitMs: number;
  /** Deliver a deferred failure: true if a listener took it. */
  readonly #report: (err: TxError) => boolean;
  readonly #words: Uint32Array;
  readonly #bytes: Uint8Array;
  readonly #numSlots: number;
  readonly #maxLen: number;
  /** Frames written into the ring since the last kick. */
  #unsynced = 0;
  /** Frames handed to the kernel by kicks, since the session opened. */
  #submitted = 0;
  #kickScheduled = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = 1;
  /** A deferred failure no listener heard: thrown by the next call. */
  #deferred: TxError | undefined;
  #closed = false;

  constructor(port: NativePort, ring: Ring, device: string, waitMs: number,
              report: (err: TxError) => boolean) {
    this.#port = port;
    this.ring = ring;
    this.#device = device;
    this.#waitMs = waitMs;
    this.#report = report;
    this.#words = ring.words;
    this.#bytes = ring.bytes;
    this.#numSlots = ring.numSlots;
    this.#maxLen = ring.bufSize;
  }

  /** Throw the failure a deferred kick left, if any (once). */
  throwDeferred(): void {
    const err = this.#deferred;
    if (err) {
      this.#deferred = undefined;
      throw err;
    }
  }

  /** A bad frame (index i of a batch; -1: a single one) throws EINVAL /
   * EMSGSIZE before anything is queued. */
  checkFrame(f: unknown, i: number): void {
    if (!(f instanceof Uint8Array)) {
      throw new PcapError(`${i < 0 ? 'the frame' : `frame ${i}`} is not a Buffer or Uint8Array`, 'EINVAL');
    }
    if (f.length < MIN_FRAME || f.length > this.#maxLen) {
      throw new PcapError(`${i < 0 ? 'the frame' : `frame ${i}`} is ${f.length} bytes; a frame on ${this.#device} ` +
        `is ${MIN_FRAME} to ${this.#maxLen} bytes`, 'EMSGSIZE');
    }
  }

  /** Queue one checked frame, waiting (bounded) for room. */
  push(f: Uint8Array): void {
    const words = this.#words;
    let h = words[HEAD];
    // (A head JS scribbled out of range: the kick has C reset the ring.)
    if ((h === words[TAIL] || h >= this.#numSlots) && !this.#makeRoom(this.#waitMs)) throw this.#full(0);
    h = words[HEAD];
    const slot = SLOT0 + h * SLOT_WORDS;
    this.#bytes.set(f, words[slot + OFFSET]);
    words[slot + LEN] = f.length;
    h = h + 1 === this.#numSlots ? 0 : h + 1;
    words[HEAD] = h;
    words[CUR] = h;
    if (this.#unsynced++ === 0) {
      queued.add(this);
      this.#schedule();
    }
    if (h === words[TAIL]) this.kick(); // the ring is full: send it now
  }

  /** Queue checked frames and kick: one txsync per call and per ring-full.
   * Waits (bounded, in all) for room. */
  pushAll(frames: readonly Uint8Array[]): number {
    const words = this.#words;
    const bytes = this.#bytes;
    const numSlots = this.#numSlots;
    const n = frames.length;
    let done = 0;
    let started = 0;
    while (done < n) {
      let h = words[HEAD];
      if (h === words[TAIL]) {
        if (started === 0) started = performance.now();
        const left = this.#waitMs - (performance.now() - started);
        if (!this.#makeRoom(left > 0 ? Math.ceil(left) : 0)) throw this.#full(done);
        h = words[HEAD];
      }
      const t = words[TAIL];
      const first = done;
      while (h !== t && done < n) {
        const f = frames[done++];
        const slot = SLOT0 + h * SLOT_WORDS;
        bytes.set(f, words[slot + OFFSET]);
        words[slot + LEN] = f.length;
        h = h + 1 === numSlots ? 0 : h + 1;
      }
      words[HEAD] = h;
      words[CUR] = h;
      this.#unsynced += done - first;
      if (h === t) this.kick();
    }
    if (this.#unsynced > 0) this.kick(); // a batch is one kick already
    return done;
  }

  /**
   * Queue checked frames from `from` on without waiting; returns the index
   * of the first frame not queued (the ring was full).
   */
  pushSome(frames: readonly Uint8Array[], from: number): number {
    let i = from;
    const words = this.#words;
    while (i < frames.length) {
      if (words[HEAD] === words[TAIL]) {
        this.kick();
        if (words[HEAD] === words[TAIL]) break;
      }
      this.push(frames[i++]);
    }
    return i;
  }

  /**
   * The one txsync: submit what is queued, reclaim what left. Returns the
   * free slots. A failure carries `sent` (frames the kernel took since
   * open) and `frame` (the first one of the batch that failed).
   */
  kick(): number {
    const batch = this.#unsynced;
    this.#unsynced = 0;
    queued.delete(this);
    let free: number;
    try {
      free = this.#port.txsync();
    } catch (err) {
      const e = err as PcapError;
      throw txError(`sending on ${this.#device} failed after ${this.#submitted} frames: ${e.message}`,
        e.code ?? 'EIO', this.#submitted, this.#submitted, err);
    }
    this.#submitted += batch;
    if (free < this.#numSlots - 1) this.#retryLater();
    else this.#settled();
    return free;
  }

  /** Kick if anything is queued (the hook before every other call). */
  flushIfQueued(): void {
    if (this.#unsynced > 0) this.kick();
  }

  /** Kick if anything is queued; a failure is reported, never thrown. */
  kickDeferred(): void {
    if (this.#unsynced > 0 && !this.#closed) this.#deferredKick();
  }

  /**
   * Wait, through the event loop, until every queued frame has left the
   * ring (the kernel gave back every slot), at most timeoutMs; then
   * ETIMEDOUT with `sent` (frames the kernel took since open). Unlike
   * close()'s bounded flush, nothing is abandoned while it waits.
   */
  async drainAll(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    let pause = 0;
    for (;;) {
      this.throwDeferred();
      if (this.#closed) throw txError(`the session on ${this.#device} is closed`, 'ECLOSED', this.#submitted);
      let free: number;
      try {
        free = this.kick();
      } catch (err) {
        const e = err as TxError;
        throw txError(e.message, e.code, e.sent, e.frame, err);
      }
      if (free >= this.#numSlots - 1) return;
      if (performance.now() >= until) {
        throw txError(`frames queued on ${this.#device} did not all leave within ${timeoutMs} ms ` +
          `(${this.#numSlots - 1 - free} still in the ring); is the link congested or down?`, 'ETIMEDOUT', this.#submitted);
      }
      // The ring drains within a turn or two on a busy link; then look every ms.
      await new Promise<void>((resolve) => { if (pause++ < 8) setImmediate(resolve); else setTimeout(resolve, 1); });
    }
  }

  /** Wait for room without blocking the event loop; resolves when queued. */
  async send(frames: readonly Uint8Array[]): Promise<number> {
    let i = 0;
    let idle = 0;
    for (;;) {
      this.throwDeferred(); // as it was: `sent` counts since the session opened
      if (this.#closed) throw txError(`the session on ${this.#device} is closed`, 'ECLOSED', i);
      let next: number;
      try {
        next = this.pushSome(frames, i);
      } catch (err) {
        const e = err as TxError;
        throw txError(e.message, e.code, i, e.frame, err);
      }
      idle = next === i ? idle + 1 : 0;
      i = next;
      if (i === frames.length) return i;
      // A full ring usually drains within a turn or two (veth: ~0.1 ms);
      // after that, look once a millisecond.
      await new Promise<void>((resolve) => {
        if (idle < 8) setImmediate(resolve);
        else setTimeout(resolve, 1);
      });
    }
  }

  /**
   * Push everything out and wait, at most ms, until the ring is empty
   * (every frame left). For close() and process exit: blocks the thread.
   */
  drain(ms: number): void {
    const until = performance.now() + ms;
    let pause = 0.05;
    try {
      while (!this.#closed) {
        if (this.kick() >= this.#numSlots - 1 || performance.now() >= until) break;
        sleepMs(pause);
        pause = Math.min(pause * 2, 2);
      }
    } catch {
      // Nothing to tell at close or exit; the frames are lost either way.
    }
  }

  /** close(): drain (bounded), then stop every timer. */
  close(): void {
    if (this.#closed) return;
    if (this.#unsynced > 0 || this.#retryTimer) this.drain(DRAIN_MS);
    this.#closed = true;
    queued.delete(this);
    this.#settled();
  }

  /** Ring still full after a kick: wait for room, at most ms. */
  #makeRoom(ms: number): boolean {
    if (this.kick() > 0) return true;
    if (ms <= 0) return false;
    try {
      return this.#port.txWait(ms) > 0;
    } catch (err) {
      const e = err as PcapError;
      throw txError(`sending on ${this.#device} failed after ${this.#submitted} frames: ${e.message}`,
        e.code ?? 'EIO', this.#submitted, this.#submitted, err);
    }
  }

  #full(sent: number): TxError {
    return txError(`the transmit ring on ${this.#device} stayed full for ${this.#waitMs} ms ` +
      `(option txWaitMs) after ${sent} frames of this call; is the link congested or down? ` +
      "await session.send() waits for room without blocking", 'EAGAIN', sent);
  }

  /** One kick at the end of this turn of the event loop. */
  #schedule(): void {
    if (this.#kickScheduled) return;
    this.#kickScheduled = true;
    this.#hookExit();
    setImmediate(this.#onTurn);
  }

  readonly #onTurn = (): void => {
    this.#kickScheduled = false;
    if (this.#closed || this.#unsynced === 0) return;
    this.#deferredKick();
  };

  /** Frames still in the ring after a kick: push them again, later. */
  #retryLater(): void {
    this.#hookExit();
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = setTimeout(this.#onRetry, this.#retryMs);
    this.#retryTimer.unref(); // exit drains what is left
  }

  readonly #onRetry = (): void => {
    this.#retryTimer = undefined;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    if (!this.#closed) this.#deferredKick();
  };

  #deferredKick(): void {
    try {
      this.kick();
    } catch (err) {
      this.#settled();
      if (!this.#report(err as TxError)) this.#deferred = err as TxError;
    }
  }

  #settled(): void {
    this.#retryMs = 1;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#unsynced === 0) unsettled.delete(this);
  }

  #hookExit(): void {
    unsettled.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', onExit);
    }
  }
}
