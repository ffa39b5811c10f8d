/**
 * Sessions: libpcap's reading API over netmap-style rings, with Node idioms.
 *
 * A session reads from a PacketSource (a live port, a savefile). Reading
 * is one call per batch: `sync` publishes a batch of packets as slots, the
 * loops below walk the slots in JS (a Buffer view over ring memory per
 * packet, no copy), and the next `sync` hands them back. Waiting is pushed
 * by the source (libuv poll for ports, completed reads for files), so it
 * never blocks the event loop, and every consumer yields to the event loop
 * between batches, so reading never starves it.
 */
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { check, PcapError } from './errors';
import { ListenerCache } from './listeners';
import { DispatchOptions, Packet, PacketBuffer, PacketHandler, PacketHeader } from './packet';
import { ringLayout, SLOT_OUTGOING } from './ring';
import { PacketSource, ReadyCallback } from './source';

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, CAPLEN, LEN, TS_SEC, TS_NSEC, FLAGS } = ringLayout;

export interface Stats {
  /** Packets that passed the filter, including those dropped. */
  recv: number;
  /** Packets dropped because the ring was full. */
  drop: number;
  /** Packets the interface dropped since the session opened. */
  ifdrop: number;
  /**
   * How packets reach the ring, on backends that have a choice: AF_XDP
   * (`xdp:` ports) says `'zerocopy'` (the driver fills our memory),
   * `'copy'` (native XDP, the kernel copies each packet) or `'generic'`
   * (the driver has no XDP; the kernel runs it on socket buffers and
   * copies). Absent on the other backends.
   */
  mode?: string;
}

export interface LoopOptions extends DispatchOptions {
  /** Stop the loop (as breakLoop() does) when this signal aborts. */
  signal?: AbortSignal;
}

export interface IterateOptions extends DispatchOptions {
  /** End the iteration when this signal aborts. */
  signal?: AbortSignal;
}

export interface Session {
  on(event: 'packet', listener: PacketHandler): this;
  on(event: 'error', listener: (err: PcapError) => void): this;
  on(event: 'close' | 'end', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'packet', listener: PacketHandler): this;
  once(event: 'error', listener: (err: PcapError) => void): this;
  once(event: 'close' | 'end', listener: () => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

/**
 * What live and offline sessions share: reading, filters, stats, close.
 *
 * Events: `'packet'` (data, header) — adding a listener starts delivery,
 * removing the last one stops it; `'end'` when a savefile has no more
 * packets; `'error'` (PcapError); `'close'`.
 */
export class Session extends EventEmitter {
  /** What the session reads: a port name, a file path, '-' for stdin. */
  readonly device: string;
  readonly #source: PacketSource;
  readonly #words: Uint32Array;
  readonly #buffer: ArrayBuffer;
  readonly #numSlots: number;
  /** How long next() waits for a packet (0: until one comes). */
  readonly #nextTimeoutMs: number;
  /** Reused for every packet of the zero-copy paths. */
  readonly #header: PacketHeader = { tsSec: 0, tsNsec: 0, caplen: 0, len: 0, direction: undefined };
  #closed = false;
  #endEmitted = false;
  #breakRequested = false;
  #wanting = false;
  /** Loops and iterators running: keep readiness on between batches. */
  #active = 0;
  /** loop() calls running: breakLoop() only means something then. */
  #loops = 0;
  readonly #waiters = new Set<() => void>();
  /** An error from the source, for the waiter that wakes up next. */
  #pendingError: Error | undefined;
  /** The error that ended the session, and the counters it had then. */
  #fatal: Error | undefined;
  #lastStats: Stats | undefined;
  /**
   * The 'packet' listeners the batch walk calls. Adding one is announced
   * before it is in the list (newListener): delivery starts once it is.
   */
  readonly #packetListeners = new ListenerCache(this, 'packet', (added) => {
    if (added) queueMicrotask(() => this.#updateWanting());
    else this.#updateWanting();
  });

  /** @internal Made by openLive() / openOffline(). */
  protected constructor(device: string, makeSource: (ready: ReadyCallback) => PacketSource,
                        nextTimeoutMs: number, signal?: AbortSignal) {
    super();
    this.device = device;
    this.#source = makeSource(this.#onReady);
    this.#words = this.#source.words;
    this.#buffer = this.#source.buffer;
    this.#numSlots = this.#source.numSlots;
    this.#nextTimeoutMs = nextTimeoutMs;
    if (signal) {
      if (signal.aborted) this.close();
      else signal.addEventListener('abort', () => this.close(), { once: true });
    }
  }

  /** @internal The source, for subclasses' own operations. */
  protected get source(): PacketSource {
    this.assertOpen();
    return this.#source;
  }

  /** Bytes kept of each packet. */
  get snaplen(): number {
    return this.#source.snaplen;
  }

  /** true once close() has run, or a fatal error has ended the session. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The error that ended the session (a corrupt or truncated savefile), if
   * one did; every later call but close() and stats() throws ECLOSED with
   * it as `cause` (docs/shapes.md §5).
   */
  get error(): Error | undefined {
    return this.#fatal;
  }

  /** The link type (DLT_*) of packets, e.g. 1 for Ethernet. */
  datalink(): number {
    this.assertOpen();
    return this.#source.linktype;
  }

  /**
   * Handle the packets available now, up to `cnt` (0 or less: up to one
   * ring's worth, `ringSlots`). Never waits. Returns how many were handled.
   */
  dispatch(cnt: number, callback: PacketHandler, options: DispatchOptions = {}): number {
    this.assertOpen();
    check(typeof callback === 'function', 'callback must be a function');
    return this.#consume(cnt > 0 ? cnt : Infinity, callback, options.copy === true);
  }

  /**
   * Handle packets as they arrive until `cnt` have been handled (0 or less:
   * until breakLoop(), close(), the signal or the end of a savefile).
   * Resolves with the count.
   */
  async loop(cnt: number, callback: PacketHandler, options: LoopOptions = {}): Promise<number> {
    this.assertOpen();
    check(typeof callback === 'function', 'callback must be a function');
    const max = cnt > 0 ? cnt : Infinity;
    const copy = options.copy === true;
    const { signal } = options;
    const onAbort = (): void => this.breakLoop();
    let done = 0;
    if (signal?.aborted) return 0;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#active++;
    this.#loops++;
    try {
      while (!this.#closed && !this.#breakRequested && done < max) {
        const n = this.#consume(max - done, callback, copy);
        done += n;
        if (n > 0) await nextTurn(); // one batch per turn of the event loop
        else if (!(await this.#awaitPackets())) break; // the end
      }
    } finally {
      this.#active--;
      if (--this.#loops === 0) this.#breakRequested = false;
      signal?.removeEventListener('abort', onAbort);
      this.#updateWanting();
    }
    return done;
  }

  /**
   * The next packet (a copy the caller owns), or null if none arrives
   * within the session's timeout, at the end of a savefile, or on close.
   */
  async next(): Promise<Packet | null> {
    this.assertOpen();
    let timedOut = false;
    const timer = this.#nextTimeoutMs > 0
      ? setTimeout(() => { timedOut = true; this.#wake(); }, this.#nextTimeoutMs) : undefined;
    try {
      let packet = this.#takeOne(true);
      while (!packet && !this.#closed && !timedOut) {
        if (!(await this.#awaitPackets())) break;
        packet = this.#takeOne(true);
      }
      return packet;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stop the running loop() (after the current packet when called from
   * its callback) and wake next() and iterators.
   */
  breakLoop(): void {
    if (this.#loops > 0) this.#breakRequested = true;
    this.#wake();
  }

  /**
   * Packets as an async iterator. Without `{ copy: true }` each packet's
   * data is leased until the loop asks for the next one. Leaving the loop
   * (break, return, throw) releases the ring.
   *
   * Not an async generator: a packet already in the ring costs one
   * resolved promise, with no generator to resume; only waiting (a dry
   * ring, the turn of the event loop between batches) takes the slow
   * path. Calls are served in order, as a generator's are.
   */
  packets(options: IterateOptions = {}): AsyncGenerator<Packet, void, undefined> {
    const copy = options.copy === true;
    const { signal } = options;
    const words = this.#words;
    const onAbort = (): void => this.#wake();
    const done: IteratorResult<Packet, void> = { value: undefined, done: true };
    let state: 'new' | 'running' | 'finished' = 'new';
    let sinceYield = 0;
    /** A call still waiting: the next ones wait for it. */
    let busy: Promise<unknown> | null = null;
    const finish = (): void => {
      if (state === 'running') {
        this.#active--;
        signal?.removeEventListener('abort', onAbort);
        if (!this.#closed) this.syncSource(); // hand the ring back
        this.#updateWanting();
      }
      state = 'finished';
    };
    const wait = async (): Promise<IteratorResult<Packet, void>> => {
      try {
        while (!this.#closed && !signal?.aborted) {
          if (words[HEAD] === words[TAIL] && sinceYield > 0) {
            sinceYield = 0;
            await nextTurn(); // one batch per turn of the event loop
            continue;
          }
          const packet = this.#takeOne(copy);
          if (packet) {
            sinceYield++;
            return { value: packet, done: false };
          }
          if (!(await this.#awaitPackets())) break; // the end
        }
      } catch (err) {
        finish();
        throw err;
      }
      finish();
      return done;
    };
    const next = (): Promise<IteratorResult<Packet, void>> => {
      if (busy !== null) return busy.then(next, next);
      if (state === 'finished') return Promise.resolve(done);
      try {
        if (state === 'new') {
          this.assertOpen();
          state = 'running';
          signal?.addEventListener('abort', onAbort, { once: true });
          this.#active++;
        }
        if (!this.#closed && words[HEAD] !== words[TAIL] && !signal?.aborted) {
          sinceYield++;
          return Promise.resolve({ value: this.#takeOne(copy)!, done: false });
        }
      } catch (err) {
        finish();
        return Promise.reject(err);
      }
      const waiting = wait();
      busy = waiting;
      const settled = (): void => { if (busy === waiting) busy = null; };
      waiting.then(settled, settled);
      return waiting;
    };
    const stop = (): Promise<IteratorResult<Packet, void>> => {
      if (busy !== null) return busy.then(stop, stop);
      finish();
      return Promise.resolve(done);
    };
    const fail = (err: unknown): Promise<IteratorResult<Packet, void>> => {
      if (busy !== null) return busy.then(() => fail(err), () => fail(err));
      finish();
      return Promise.reject(err);
    };
    const iterator: AsyncGenerator<Packet, void, undefined> = {
      next,
      return: stop,
      throw: fail,
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * For ring walkers (`rxRing()`): resolves when `sync()` may publish more
   * packets, false once a savefile has nothing left. Never blocks the
   * event loop (compare `waitReadable()` on live sessions).
   */
  async waitForPackets(): Promise<boolean> {
    this.assertOpen();
    if (this.syncNow()) return true;
    this.#active++;
    try {
      return await this.#awaitPackets();
    } finally {
      this.#active--;
      this.#updateWanting();
    }
  }

  /** EventEmitter's, and the 'packet' listeners are watched again after it. */
  override removeAllListeners(event?: string | symbol): this {
    if (arguments.length === 0) super.removeAllListeners();
    else super.removeAllListeners(event);
    this.#packetListeners.rewatch();
    this.#updateWanting();
    return this;
  }

  [Symbol.asyncIterator](): AsyncGenerator<Packet, void, undefined> {
    return this.packets();
  }

  /** Replace the filter (a libpcap expression; '' or null removes it). */
  setFilter(expression: string | null): void {
    this.assertOpen();
    check(expression === null || typeof expression === 'string', 'filter must be a string or null');
    this.#source.setFilter(expression ? expression : null);
  }

  /** Counters since the session opened. */
  stats(): Stats {
    if (this.#lastStats) return { ...this.#lastStats }; // ended by a fatal error
    this.assertOpen();
    return this.#source.stats();
  }

  /**
   * Close: stop delivery, release the rings. Idempotent, and allowed
   * inside a packet callback. Views handed out earlier become empty
   * rather than pointing at freed memory.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wanting = false;
    this.#source.close();
    this.#wake();
    this.emit('close');
  }

  // ---- for subclasses ----

  protected assertOpen(): void {
    if (this.#closed) {
      const cause = this.#fatal;
      throw new PcapError(cause ? `the session on ${this.device} ended: ${cause.message}`
        : `the session on ${this.device} is closed`, 'ECLOSED', cause ? { cause } : undefined);
    }
    this.beforeCall();
  }

  /** Runs at the start of every call on an open session (assertOpen):
   * live sessions push the frames inject() queued here. */
  protected beforeCall(): void {}

  /** Release the slots already read and publish new ones. */
  protected syncNow(): boolean {
    const words = this.#words;
    if (words[HEAD] === words[TAIL]) this.syncSource();
    return words[HEAD] !== words[TAIL];
  }

  /** The source's sync; an error that ended the source ends the session
   * (and is thrown to the caller, as any error of sync). */
  protected syncSource(): void {
    try {
      this.#source.sync();
    } catch (err) {
      if (this.#source.failed) {
        this.#fail(err as Error);
        this.#wake(); // other waiters reject with it
      }
      throw err;
    }
  }

  // ---- internals ----

  /**
   * The zero-copy hot loop: walk up to max slots, releasing each as we go,
   * and sync again when the ring runs dry, up to one ring's worth of
   * packets per call: batches stay large while the source holds little
   * (a live port keeps few kernel blocks), and the work per call bounded.
   *
   * `callback` null: call the 'packet' listeners, as one emit per packet
   * would (docs/shapes.md §3): the list is read again only after it
   * changed, so a change inside a listener takes effect at the next
   * packet, and the walk stops before a packet nobody listens to.
   */
  #consume(max: number, callback: PacketHandler | null, copy: boolean): number {
    const words = this.#words;
    const buffer = this.#buffer;
    const n = this.#numSlots;
    const limit = Math.min(max, n);
    const listeners = this.#packetListeners;
    const knowsDirection = this.#source.knowsDirection === true;
    let h = words[HEAD];
    let t = words[TAIL];
    let handled = 0;
    while (handled < limit) {
      const list = callback === null ? listeners.get() : null;
      if (list !== null && list.length === 0) break;
      if (h === t) {
        this.syncSource(); // releases what was read, fetches the next
        h = words[HEAD];
        t = words[TAIL];
        if (h === t) break;
      }
      const s = SLOT0 + h * SLOT_WORDS;
      const offset = words[s + OFFSET];
      const caplen = words[s + CAPLEN];
      const header = copy ? { tsSec: 0, tsNsec: 0, caplen: 0, len: 0, direction: undefined } : this.#header;
      header.tsSec = words[s + TS_SEC];
      header.tsNsec = words[s + TS_NSEC];
      header.caplen = caplen;
      header.len = words[s + LEN];
      if (knowsDirection) header.direction = words[s + FLAGS] & SLOT_OUTGOING ? 'out' : 'in';
      const data = viewOf(buffer, offset, caplen, copy);
      h = h + 1 === n ? 0 : h + 1;
      // Released before the callback runs, so a throw cannot replay it;
      // the memory stays ours until the next sync.
      words[HEAD] = h;
      words[CUR] = h;
      handled++;
      if (list === null) callback!(data, header);
      else if (list.length === 1) list[0].call(this, data, header);
      else for (let i = 0; i < list.length; i++) list[i].call(this, data, header);
      if (this.#closed || this.#breakRequested) break;
    }
    if (handled === 0 && this.#source.ended) this.#end();
    return handled;
  }

  /** The next packet as next() and iterators hand it out, released; null if the ring is dry. */
  #takeOne(copy: boolean): Packet | null {
    const words = this.#words;
    let h = words[HEAD];
    if (h === words[TAIL]) {
      this.syncSource();
      h = words[HEAD];
      if (h === words[TAIL]) {
        if (this.#source.ended) this.#end();
        return null;
      }
    }
    const s = SLOT0 + h * SLOT_WORDS;
    const caplen = words[s + CAPLEN];
    const packet: Packet = {
      data: viewOf(this.#buffer, words[s + OFFSET], caplen, copy),
      tsSec: words[s + TS_SEC], tsNsec: words[s + TS_NSEC], caplen, len: words[s + LEN],
      linktype: this.#source.linktypeOf(h), owned: copy,
    };
    if (this.#source.knowsDirection) packet.direction = words[s + FLAGS] & SLOT_OUTGOING ? 'out' : 'in';
    h = h + 1 === this.#numSlots ? 0 : h + 1;
    words[HEAD] = h;
    words[CUR] = h;
    return packet;
  }

  /**
   * Wait until the source may have packets (or the session closes, or is
   * woken). false: the source has ended and nothing is left.
   */
  async #awaitPackets(): Promise<boolean> {
    const failure = this.#takePendingError();
    if (failure) throw failure;
    if (this.#source.ended && !this.syncNow()) {
      this.#end();
      return false;
    }
    await new Promise<void>((resolve) => {
      this.#waiters.add(resolve);
      this.#updateWanting();
    });
    const raised = this.#takePendingError();
    if (raised) throw raised;
    return true;
  }

  #takePendingError(): Error | undefined {
    const err = this.#pendingError;
    this.#pendingError = undefined;
    return err;
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const resolve of waiters) resolve();
  }

  #end(): void {
    if (this.#endEmitted) return;
    this.#endEmitted = true;
    this.#wake();
    queueMicrotask(() => this.emit('end'));
  }

  #updateWanting(): void {
    const want = !this.#closed && !this.#endEmitted &&
      (this.listenerCount('packet') > 0 || this.#waiters.size > 0 || this.#active > 0);
    if (want !== this.#wanting) {
      this.#wanting = want;
      this.#source.want(want);
    }
  }

  /** The source says: sync() may give more, or it failed. */
  readonly #onReady: ReadyCallback = (error) => {
    if (this.#closed) return;
    if (error) {
      if (this.#source.failed) this.#fail(error);
      this.#raise(error);
    } else if (this.#packetListeners.get().length > 0) {
      try {
        // One batch, then hand it straight back (the next batch waits in
        // the ring for the next callback), so the kernel never runs short.
        if (this.#consume(Infinity, null, false) > 0 && !this.#closed) this.syncNow();
      } catch (err) {
        this.#raise(err as Error);
      }
    }
    this.#wake();
    this.#updateWanting();
  };

  /**
   * End the session on an error after which the source delivers nothing
   * (docs/shapes.md §5): released as close() would, the error and the last
   * counters kept, waiters rejected, 'close' after the error is reported
   * (by the caller: thrown, or #raise).
   */
  #fail(err: Error): void {
    if (this.#closed) return;
    try {
      this.#lastStats = this.#source.stats();
    } catch {
      this.#lastStats = { recv: 0, drop: 0, ifdrop: 0 };
    }
    this.#fatal = err;
    this.#closed = true;
    this.#wanting = false;
    this.#source.close();
    if (this.#waiters.size > 0) this.#pendingError = err;
    setImmediate(() => this.emit('close'));
  }

  /**
   * Report an error from the source: waiting loops, next() and iterators
   * reject with it; 'error' listeners hear it. With neither, it is emitted
   * anyway and, like any unhandled 'error', thrown.
   */
  #raise(err: Error): void {
    const waiting = this.#waiters.size > 0;
    if (waiting) this.#pendingError = err;
    if (this.listenerCount('error') > 0 || !waiting) this.emit('error', err);
    this.#wake();
  }
}

/** A packet's bytes: a leased view of ring memory, or an owned copy. */
function viewOf(buffer: ArrayBuffer, offset: number, caplen: number, copy: boolean): Buffer {
  return copy ? Buffer.from(new Uint8Array(buffer, offset, caplen)) : new PacketBuffer(buffer, offset, caplen);
}
