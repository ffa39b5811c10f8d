/**
 * Live sessions: libpcap's API over netmap-style rings, with Node idioms.
 *
 * Reading is one native call per batch: `rxsync` publishes a batch of
 * packets as slots, the loops below walk the slots in JS (a Buffer view
 * over ring memory per packet, no copy), and the next `rxsync` hands them
 * back. Waiting goes through libuv's poll on the port's descriptor, so it
 * never blocks the event loop; every consumer yields to the event loop
 * between batches, so capture never starves it.
 */
import { EventEmitter, once } from 'node:events';
import { setImmediate as nextTick } from 'node:timers/promises';
import { MemoryRegion, native, NativePort, NativePortInfo } from './binding';
import { check, PcapError, PcapErrorCode } from './errors';
import { Direction, directionCode, LiveOptions, resolveLiveOptions } from './options';
import { DispatchOptions, Packet, PacketHandler, PacketHeader } from './packet';
import { Ring, ringLayout } from './ring';

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, CAPLEN, LEN, TS_SEC, TS_NSEC } = ringLayout;
/** libpcap's PCAP_NETMASK_UNKNOWN. */
const NETMASK_UNKNOWN = 0xffffffff;
/** A frame shorter than an Ethernet header cannot be sent. */
const MIN_FRAME = 14;

export interface Stats {
  /** Packets that passed the filter, including those dropped. */
  recv: number;
  /** Packets dropped because the ring was full. */
  drop: number;
  /** Packets the interface dropped since the session opened. */
  ifdrop: number;
}

export interface LoopOptions extends DispatchOptions {
  /** Stop the loop (as breakLoop() does) when this signal aborts. */
  signal?: AbortSignal;
}

export interface IterateOptions extends DispatchOptions {
  /** End the iteration when this signal aborts. */
  signal?: AbortSignal;
}

export interface LiveSession {
  on(event: 'packet', listener: PacketHandler): this;
  on(event: 'error', listener: (err: PcapError) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'packet', listener: PacketHandler): this;
  once(event: 'error', listener: (err: PcapError) => void): this;
  once(event: 'close', listener: () => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

/**
 * A capture and injection session on one port. Made by `openLive()`.
 *
 * Events: `'packet'` (data, header) — adding a listener starts delivery,
 * removing the last one stops it; `'error'` (PcapError); `'close'`.
 */
export class LiveSession extends EventEmitter {
  /** The port name the session was opened with. */
  readonly device: string;
  readonly #port: NativePort;
  readonly #info: NativePortInfo;
  readonly #rx: Ring;
  readonly #words: Uint32Array;
  readonly #rxBuffer: ArrayBuffer;
  readonly #numSlots: number;
  readonly #timeoutMs: number;
  /** Reused for every packet of the zero-copy paths. */
  readonly #header: PacketHeader = { tsSec: 0, tsNsec: 0, caplen: 0, len: 0 };
  #tx: Ring | undefined;
  #closed = false;
  #breakRequested = false;
  #polling = false;
  /** Loops and iterators running: keep polling between their batches. */
  #active = 0;
  /** loop() calls running: breakLoop() only means something then. */
  #loops = 0;
  readonly #waiters = new Set<() => void>();
  /** An error from the poll path, for the waiter that wakes up next. */
  #pendingError: Error | undefined;

  /** @internal Use openLive(). */
  constructor(device: string, options: LiveOptions = {}) {
    super();
    check(typeof device === 'string' && device.length > 0, 'device must be a non-empty string');
    const args = resolveLiveOptions(options);
    this.device = device;
    this.#port = new native.Port();
    this.#port.open(device, args);
    this.#info = this.#port.info();
    this.#timeoutMs = args.timeoutMs;
    this.#rx = new Ring('rx', this.#port.memory(MemoryRegion.RxRing),
      this.#port.memory(MemoryRegion.RxBuffers), () => this.#port.rxsync(), () => !this.#closed);
    this.#words = this.#rx.words;
    this.#rxBuffer = this.#rx.buffer;
    this.#numSlots = this.#rx.numSlots;
    this.on('newListener', (event) => {
      if (event === 'packet') queueMicrotask(() => this.#updatePolling());
    });
    this.on('removeListener', (event) => {
      if (event === 'packet') this.#updatePolling();
    });
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) this.close();
      else signal.addEventListener('abort', () => this.close(), { once: true });
    }
  }

  /** The descriptor to poll for readable packets (-1 once closed). */
  get fd(): number {
    return this.#closed ? -1 : this.#info.fd;
  }

  /** Bytes kept of each packet. */
  get snaplen(): number {
    return this.#info.snaplen;
  }

  /** Which backend serves the port ('afpacket', ...). */
  get backend(): string {
    return this.#info.backend;
  }

  /** true once close() has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The link type (DLT_*) of captured packets, e.g. 1 for Ethernet. */
  datalink(): number {
    this.#assertOpen();
    return this.#info.linktype;
  }

  /**
   * Handle the packets available now, up to `cnt` (0 or less: one whole
   * batch). Never waits. Returns how many packets were handled.
   */
  dispatch(cnt: number, callback: PacketHandler, options: DispatchOptions = {}): number {
    this.#assertOpen();
    check(typeof callback === 'function', 'callback must be a function');
    return this.#consume(cnt > 0 ? cnt : Infinity, callback, options.copy === true);
  }

  /**
   * Handle packets as they arrive until `cnt` have been handled (0 or less:
   * until breakLoop(), close() or the signal). Resolves with the count.
   */
  async loop(cnt: number, callback: PacketHandler, options: LoopOptions = {}): Promise<number> {
    this.#assertOpen();
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
        if (n === 0) await this.#awaitPackets();
        else await nextTick(); // one batch per turn of the event loop
      }
    } finally {
      this.#active--;
      if (--this.#loops === 0) this.#breakRequested = false;
      signal?.removeEventListener('abort', onAbort);
      this.#updatePolling();
    }
    return done;
  }

  /**
   * The next packet (a copy the caller owns), or null if none arrives
   * within the session's timeout or the session closes.
   */
  async next(): Promise<Packet | null> {
    this.#assertOpen();
    let timedOut = false;
    const timer = this.#timeoutMs > 0
      ? setTimeout(() => { timedOut = true; this.#wake(); }, this.#timeoutMs) : undefined;
    try {
      let packet = this.#takeOne(true);
      while (!packet && !this.#closed && !timedOut) {
        await this.#awaitPackets();
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
   */
  async *packets(options: IterateOptions = {}): AsyncGenerator<Packet, void, undefined> {
    this.#assertOpen();
    const copy = options.copy === true;
    const { signal } = options;
    const onAbort = (): void => this.#wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#active++;
    let sinceYield = 0;
    try {
      while (!this.#closed && !signal?.aborted) {
        if (this.#words[HEAD] === this.#words[TAIL] && sinceYield > 0) {
          sinceYield = 0;
          await nextTick(); // one batch per turn of the event loop
          continue;
        }
        const packet = this.#takeOne(copy);
        if (packet) {
          sinceYield++;
          yield packet;
        } else {
          await this.#awaitPackets();
        }
      }
    } finally {
      this.#active--;
      signal?.removeEventListener('abort', onAbort);
      if (!this.#closed) this.#port.rxsync(); // hand the ring back
      this.#updatePolling();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Packet, void, undefined> {
    return this.packets();
  }

  /**
   * The RX ring itself, netmap's model: for code that walks slots with no
   * per-packet allocation. Sharing it with the other read APIs at the same
   * time is not supported.
   */
  rxRing(index = 0): Ring {
    this.#assertOpen();
    check(index === 0, `this port has one RX ring (index 0), not ${index}`);
    return this.#rx;
  }

  /** The TX ring (made on first use): write frames into slots, sync. */
  txRing(index = 0): Ring {
    this.#assertOpen();
    check(index === 0, `this port has one TX ring (index 0), not ${index}`);
    if (!this.#tx) {
      this.#port.openTx();
      this.#info.txMaxLen = this.#port.info().txMaxLen;
      this.#tx = new Ring('tx', this.#port.memory(MemoryRegion.TxRing),
        this.#port.memory(MemoryRegion.TxBuffers), () => this.#port.txsync(), () => !this.#closed);
    }
    return this.#tx;
  }

  /** Send one frame (its bytes are copied). Returns the bytes sent. */
  inject(frame: Uint8Array): number {
    return this.injectBatch([frame]) === 1 ? frame.length : 0;
  }

  /** libpcap's name for inject(); returns 0 on success. */
  sendPacket(frame: Uint8Array): number {
    this.inject(frame);
    return 0;
  }

  /**
   * Send frames with one system call per ring-full (the bytes are copied
   * into the TX ring). Returns how many frames were sent.
   */
  injectBatch(frames: readonly Uint8Array[]): number {
    this.#assertOpen();
    check(Array.isArray(frames), 'frames must be an array of Buffers or Uint8Arrays');
    const tx = this.txRing();
    const max = tx.bufSize;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      check(f instanceof Uint8Array, `frame ${i} is not a Buffer or Uint8Array`);
      if (f.length < MIN_FRAME || f.length > max) {
        throw new PcapError(`frame ${i} is ${f.length} bytes; a frame on ${this.device} ` +
          `is ${MIN_FRAME} to ${max} bytes`, 'EMSGSIZE');
      }
    }
    const { words, bytes } = tx;
    let sent = 0;
    let stalls = 0;
    while (sent < frames.length) {
      let h = words[HEAD];
      const t = words[TAIL];
      let filled = 0;
      while (h !== t && sent + filled < frames.length) {
        const f = frames[sent + filled];
        const slot = SLOT0 + h * SLOT_WORDS;
        bytes.set(f, words[slot + OFFSET]);
        words[slot + LEN] = f.length;
        h = h + 1 === tx.numSlots ? 0 : h + 1;
        filled++;
      }
      words[HEAD] = h;
      words[CUR] = h;
      tx.sync();
      sent += filled;
      // The kernel sends synchronously; a ring that stays full is stuck.
      stalls = filled === 0 ? stalls + 1 : 0;
      if (stalls > 100) {
        throw Object.assign(new PcapError(`the transmit ring on ${this.device} stayed full ` +
          `after ${sent} frames`, 'EAGAIN'), { sent });
      }
    }
    return sent;
  }

  /** Replace the filter (a libpcap expression; '' or null removes it). */
  setFilter(expression: string | null): void {
    this.#assertOpen();
    check(expression === null || typeof expression === 'string', 'filter must be a string or null');
    this.#port.setFilter(expression ? expression : null, 1, NETMASK_UNKNOWN);
  }

  /** Capture only packets going 'in', 'out', or both ('inout'). */
  setDirection(direction: Direction): void {
    this.#assertOpen();
    this.#port.setDirection(directionCode(direction));
  }

  /** Counters since the session opened. */
  stats(): Stats {
    this.#assertOpen();
    return this.#port.stats();
  }

  /**
   * Block this thread until packets are readable or timeoutMs passes: for
   * tight loops in workers (`while (s.waitReadable(100)) s.dispatch(...)`).
   * Returns false on timeout.
   */
  waitReadable(timeoutMs: number): boolean {
    this.#assertOpen();
    check(Number.isInteger(timeoutMs) && timeoutMs >= -1, 'timeoutMs must be an integer >= -1');
    const words = this.#words;
    if (words[HEAD] !== words[TAIL]) return true;
    // Hand back what was read: the kernel reports readable while we hold
    // any of its blocks, so poll(2) alone would answer true at once.
    this.#port.rxsync();
    if (words[HEAD] !== words[TAIL]) return true;
    return this.#port.waitReadable(timeoutMs);
  }

  /** Keep the process alive while waiting for packets (the default). */
  ref(): this {
    if (!this.#closed) this.#port.setRef(true);
    return this;
  }

  /** Let the process exit even while waiting for packets. */
  unref(): this {
    if (!this.#closed) this.#port.setRef(false);
    return this;
  }

  /**
   * Close the port: stop delivery, release the rings. Idempotent, and
   * allowed inside a packet callback. Views handed out earlier become
   * empty rather than pointing at freed memory.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#polling = false;
    this.#port.close();
    this.#wake();
    this.emit('close');
  }

  // ---- internals ----

  #assertOpen(): void {
    if (this.#closed) throw new PcapError(`the session on ${this.device} is closed`, 'ECLOSED');
  }

  /** The zero-copy hot loop: walk up to max slots, release each as we go. */
  #consume(max: number, callback: PacketHandler, copy: boolean): number {
    const words = this.#words;
    let h = words[HEAD];
    let t = words[TAIL];
    if (h === t) {
      this.#port.rxsync(); // releases the last batch, fetches the next
      h = words[HEAD];
      t = words[TAIL];
    }
    const buffer = this.#rxBuffer;
    const n = this.#numSlots;
    let handled = 0;
    while (h !== t && handled < max) {
      const s = SLOT0 + h * SLOT_WORDS;
      const offset = words[s + OFFSET];
      const caplen = words[s + CAPLEN];
      const header = copy ? { tsSec: 0, tsNsec: 0, caplen: 0, len: 0 } : this.#header;
      header.tsSec = words[s + TS_SEC];
      header.tsNsec = words[s + TS_NSEC];
      header.caplen = caplen;
      header.len = words[s + LEN];
      const data = copy ? Buffer.from(new Uint8Array(buffer, offset, caplen))
        : Buffer.from(buffer, offset, caplen);
      h = h + 1 === n ? 0 : h + 1;
      // Released before the callback runs, so a throw cannot replay it;
      // the memory stays ours until the next rxsync.
      words[HEAD] = h;
      words[CUR] = h;
      handled++;
      callback(data, header);
      if (this.#closed || this.#breakRequested) break;
    }
    return handled;
  }

  #takeOne(copy: boolean): Packet | null {
    let packet: Packet | null = null;
    this.#consume(1, (data, header) => {
      packet = { data, ...header, linktype: this.#info.linktype, owned: copy };
    }, copy);
    return packet;
  }

  /** Wait until the port is readable (or closed, or woken). */
  async #awaitPackets(): Promise<void> {
    const failure = this.#takePendingError() ?? this.#socketFailure();
    if (failure) throw failure;
    await new Promise<void>((resolve) => {
      this.#waiters.add(resolve);
      this.#updatePolling();
    });
    const raised = this.#takePendingError();
    if (raised) throw raised;
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

  #updatePolling(): void {
    const want = !this.#closed &&
      (this.listenerCount('packet') > 0 || this.#waiters.size > 0 || this.#active > 0);
    if (want && !this.#polling) {
      this.#port.pollStart(this.#onReadable);
      this.#polling = true;
    } else if (!want && this.#polling) {
      this.#port.pollStop();
      this.#polling = false;
    }
  }

  readonly #onReadable = (status: number): void => {
    if (this.#closed) return;
    if (status < 0) {
      // libuv has stopped the handle; the cause is the socket's error.
      this.#port.pollStop();
      this.#polling = false;
      this.#raise(this.#socketFailure() ??
        new PcapError(`waiting for packets on ${this.device} failed (libuv ${status})`, 'EIO'));
      this.#updatePolling();
      return;
    }
    if (this.listenerCount('packet') > 0) {
      try {
        if (this.#consume(Infinity, this.#emitPacket, false) === 0) {
          const failure = this.#socketFailure();
          if (failure) this.#raise(failure);
        }
      } catch (err) {
        this.#raise(err as Error);
      }
    }
    this.#wake();
    this.#updatePolling();
  };

  readonly #emitPacket: PacketHandler = (data, header) => {
    this.emit('packet', data, header);
  };

  /** The error pending on the port (a link gone down, ...), if any. */
  #socketFailure(): PcapError | null {
    const f = this.#port.socketError();
    return f ? new PcapError(f.message, f.code as PcapErrorCode) : null;
  }

  /**
   * Report an error from the poll path: waiting loops, next() and
   * iterators reject with it; 'error' listeners hear it. With neither, it
   * is emitted anyway and, like any unhandled 'error', thrown.
   */
  #raise(err: Error): void {
    const waiting = this.#waiters.size > 0;
    if (waiting) this.#pendingError = err;
    if (this.listenerCount('error') > 0 || !waiting) this.emit('error', err);
    this.#wake();
  }
}

/**
 * Open a port for live capture and injection.
 *
 * `device` is an interface name (`eth0`, `lo`, `any`); later backends add
 * prefixed names (see the README's port table).
 */
export function openLive(device: string, options: LiveOptions = {}): LiveSession {
  return new LiveSession(device, options);
}

/** Resolves when the session emits 'close'. */
export function closed(session: LiveSession): Promise<unknown> {
  return session.closed ? Promise.resolve() : once(session, 'close');
}
