/**
 * Live sessions: one port of any backend (AF_PACKET, AF_XDP, pipe:,
 * netmap) behind the C port contract, read through its RX ring and
 * written through a TX queue (lib/tx-queue.ts) over its TX ring.
 */
import { layout, MemoryRegion, native, NativeOpenArgs, NativePort, NativePortInfo, NativePortName } from './binding';
import { check, PcapError, PcapErrorCode } from './errors';
import { Direction, directionCode, LiveOptions, resolveLiveOptions, resolveTxWaitMs } from './options';
import { checkPortName, PortName } from './ports';
import type { Writable } from 'node:stream';
import { Ring, ringLayout } from './ring';
import { Session } from './session';
import { PacketSource, ReadyCallback } from './source';
import { kickQueued, TxQueue } from './tx-queue';
import { frameWriter } from './tx-stream';

/** libpcap's PCAP_NETMASK_UNKNOWN. */
const NETMASK_UNKNOWN = 0xffffffff;
const { HEAD, TAIL } = ringLayout;

/**
 * Errors after which a port delivers nothing more: its pipe peer is gone,
 * its device was deleted. ENETDOWN is not among them: AF_PACKET and
 * AF_XDP ports capture again when the link comes back (docs/backends.md).
 */
const FATAL_CODES: ReadonlySet<string> = new Set(['EPIPE', 'ENODEV', 'ENXIO']);

function isFatalPortError(err: unknown): boolean {
  return FATAL_CODES.has((err as { code?: unknown } | null)?.code as string);
}

/** A native port as a PacketSource: readiness from libuv's poll. */
class LivePort implements PacketSource {
  readonly port: NativePort;
  readonly info: NativePortInfo;
  readonly rx: Ring;
  readonly words: Uint32Array;
  readonly buffer: ArrayBuffer;
  readonly numSlots: number;
  readonly ended = false;
  /** AF_PACKET's kernel marks what this host sent (PACKET_OUTGOING). */
  readonly knowsDirection: boolean;
  readonly #ready: ReadyCallback;
  #polling = false;
  #closed = false;
  /** The port is gone (a fatal poll error): sync() throws it once the ring is dry. */
  #gone: PcapError | null = null;
  /** Runs before every RX sync: push TX frames queued in this process. */
  beforeSync: () => void = kickQueued;
  /** The RX ring used after close: the session throws what its calls throw. */
  onClosedUse: () => boolean = () => false;

  constructor(args: NativeOpenArgs, ready: ReadyCallback) {
    this.port = new native.Port();
    this.port.open(args);
    this.info = this.port.info();
    this.knowsDirection = this.info.backend === 'afpacket';
    this.#ready = ready;
    this.rx = new Ring('rx', this.port.memory(MemoryRegion.RxRing),
      this.port.memory(MemoryRegion.RxBuffers), () => {
        // A walker syncs again or calls waitReadable/waitForPackets, which
        // prepare the wake-up before they sleep: spare a pipe's sender it.
        this.beforeSync();
        return this.port.rxsync(false);
      }, () => !this.#closed || this.onClosedUse());
    this.words = this.rx.words;
    this.buffer = this.rx.buffer;
    this.numSlots = this.rx.numSlots;
  }

  get linktype(): number { return this.info.linktype; }
  get snaplen(): number { return this.info.snaplen; }
  linktypeOf(): number { return this.info.linktype; }

  sync(): void {
    this.beforeSync();
    this.port.rxsync();
    const w = this.words;
    if (this.#gone && w[HEAD] === w[TAIL]) throw this.#gone;
  }

  /** sync() for a caller that looks again before it sleeps: no wake-up is
   * prepared (a pipe's sender then writes no eventfd). True if packets. */
  peek(): boolean {
    const words = this.words;
    if (words[HEAD] === words[TAIL]) {
      this.beforeSync();
      this.port.rxsync(false);
    }
    return words[HEAD] !== words[TAIL];
  }

  want(on: boolean): void {
    if (on && !this.#polling) {
      this.port.pollStart(this.#onPoll);
      this.#polling = true;
    } else if (!on && this.#polling) {
      this.port.pollStop();
      this.#polling = false;
    }
  }

  setFilter(expression: string | null): void {
    this.port.setFilter(expression, 1, NETMASK_UNKNOWN);
  }

  stats(): { recv: number; drop: number; ifdrop: number; mode?: string } {
    return this.port.stats();
  }

  isFatal(err: unknown): boolean {
    return isFatalPortError(err);
  }

  /** What stopped the port (a link gone down, a peer gone), if known. */
  #failure(): PcapError | null {
    const f = this.port.failure();
    return f ? new PcapError(f.message, f.code as PcapErrorCode) : null;
  }

  close(): void {
    this.#closed = true;
    this.#polling = false;
    this.port.close();
  }

  readonly #onPoll = (status: number): void => {
    if (status < 0) {
      // libuv has stopped the handle; the cause is the socket's error
      // (reading it clears it). Frames the kernel delivered before the
      // fault are still in the ring: they go out first.
      this.port.pollStop();
      this.#polling = false;
      const failure = this.#failure();
      if (failure && isFatalPortError(failure)) {
        // As a pipe's rxsync does: sync() hands out what is left, then throws.
        this.#gone = failure;
        this.#ready();
        return;
      }
      this.#ready();
      // The socket works again once the link is back: keep waiting on it.
      if (failure && !this.#closed) this.want(true);
      this.#ready(failure ?? new PcapError(`waiting for packets failed (libuv ${status})`, 'EIO'));
      return;
    }
    this.#ready();
  };
}

const PIPE_END = { master: layout.END_MASTER, slave: layout.END_SLAVE } as const;
const RINGS = { hw: layout.RINGS_HW, host: layout.RINGS_HOST, all: layout.RINGS_ALL } as const;

/** A parsed name in the shape struct nmp_open_args takes it. */
function nativePortName(p: PortName): NativePortName {
  return {
    backend: p.backend, name: p.name, device: p.device,
    queue: p.queue ?? -1, end: p.end ? PIPE_END[p.end] : layout.END_NONE, pipe: p.pipe ?? 0,
    rings: RINGS[p.rings ?? 'hw'], valeSwitch: p.switch ?? '',
  };
}

/**
 * A capture and injection session on one port. Made by `openLive()`.
 *
 * Events: `'packet'` (data, header) — adding a listener starts delivery,
 * removing the last one stops it; `'error'` (PcapError); `'close'`.
 */
export class LiveSession extends Session {
  readonly #live: LivePort;
  readonly #txWaitMs: number;
  #txq: TxQueue | undefined;

  /** @internal Use openLive(). */
  constructor(device: string, options: LiveOptions = {}) {
    // Every name error (and ENOTSUP) comes from lib/ports.ts, and C takes
    // the name parsed: the grammar lives in one place.
    const port = nativePortName(checkPortName(device));
    check(typeof options === 'object' && options !== null, 'options must be an object');
    let live: LivePort | undefined;
    const args = { ...resolveLiveOptions(options), port };
    const txWaitMs = resolveTxWaitMs(options);
    super(device, (ready) => (live = new LivePort(args, ready)), args.timeoutMs, options.signal);
    this.#live = live!;
    this.#txWaitMs = txWaitMs;
    this.#live.onClosedUse = this.#ringClosed;
  }

  /** The descriptor to poll for readable packets (-1 once closed). */
  get fd(): number {
    return this.closed ? -1 : this.#live.info.fd;
  }

  /** Which backend serves the port ('afpacket', ...). */
  get backend(): string {
    return this.#live.info.backend;
  }

  /**
   * The RX ring itself, netmap's model: for code that walks slots with no
   * per-packet allocation. Sharing it with the other read APIs at the same
   * time is not supported.
   */
  rxRing(index = 0): Ring {
    this.assertOpen();
    check(index === 0, `this port has one RX ring (index 0), not ${index}`);
    return this.#live.rx;
  }

  /**
   * The TX ring (made on first use): write frames into slots, move head,
   * sync(). Frames queued by inject() are flushed first, and inject()
   * writes at the ring's head, so the two can be mixed in one thread.
   * sync() never waits; `ring.wait(ms)` waits for room.
   */
  txRing(index = 0): Ring {
    this.assertOpen();
    check(index === 0, `this port has one TX ring (index 0), not ${index}`);
    return this.#queue().ring;
  }

  /**
   * Queue one frame for sending (its bytes are copied into the TX ring)
   * and return its length: the bytes **queued**. The kernel is kicked
   * once per turn of the event loop, when the ring fills, on flush(),
   * before any other call on this or any other live session, on close()
   * and at process exit, so a loop of inject() costs one system call per
   * ring-full. A full ring
   * waits at most `txWaitMs` for room, then throws EAGAIN (`sent: 0`).
   */
  inject(frame: Uint8Array): number {
    const q = this.#txq ?? this.#queue();
    if (this.closed) this.assertOpen();
    try {
      q.throwDeferred();
      q.checkFrame(frame, -1);
      q.push(frame);
    } catch (err) {
      throw this.#portFailed(err);
    }
    return frame.length;
  }

  /** libpcap's name for inject(); returns 0 on success (the frame is queued). */
  sendPacket(frame: Uint8Array): number {
    this.inject(frame);
    return 0;
  }

  /**
   * Send frames: copied into the TX ring, with one kick (system call) per
   * ring-full and one at the end, so they have left when it returns. Every
   * frame is checked before any is queued. Returns how many were sent: all
   * of them, or it throws EAGAIN with `sent` (those of this call queued)
   * when the ring stayed full for `txWaitMs` in all.
   */
  injectBatch(frames: readonly Uint8Array[]): number {
    const q = this.#txq ?? this.#queue();
    if (this.closed) this.assertOpen();
    try {
      q.throwDeferred();
      check(Array.isArray(frames), 'frames must be an array of Buffers or Uint8Arrays');
      for (let i = 0; i < frames.length; i++) q.checkFrame(frames[i], i);
      return q.pushAll(frames);
    } catch (err) {
      throw this.#portFailed(err);
    }
  }

  /**
   * Queue one frame or an array of them, waiting for room in the TX ring
   * through the event loop (never blocking it). Resolves with the count
   * once all are queued; rejects like injectBatch, with `sent`.
   */
  async send(frames: Uint8Array | readonly Uint8Array[]): Promise<number> {
    const list = frames instanceof Uint8Array ? [frames] : frames;
    const q = this.#txq ?? this.#queue();
    if (this.closed) this.assertOpen();
    check(Array.isArray(list), 'frames must be a Buffer, a Uint8Array or an array of them');
    for (let i = 0; i < list.length; i++) q.checkFrame(list[i], i);
    return q.send(list).catch((err) => { throw this.#portFailed(err); });
  }

  /**
   * A Writable stream of frames (Buffers or Uint8Arrays, one per write)
   * with backpressure: write() returns false while the TX ring is full,
   * and 'drain' follows when there is room. Ending the stream flushes;
   * it does not close the session.
   */
  createWriteStream(options: { highWaterMark?: number } = {}): Writable {
    const q = this.#txq ?? this.#queue();
    if (this.closed) this.assertOpen();
    return frameWriter(this, q, options.highWaterMark);
  }

  /**
   * Resolve once every frame queued so far has left the TX ring, waiting
   * through the event loop (never blocking it) at most `timeoutMs`
   * (default 10 s); then reject ETIMEDOUT with `sent`. close() flushes
   * for at most 100 ms and abandons what is left; await drain() first when
   * every frame must go.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const q = this.#txq;
    if (this.closed) this.assertOpen();
    const timeoutMs = options.timeoutMs ?? 10_000;
    check(Number.isFinite(timeoutMs) && timeoutMs >= 0, 'timeoutMs must be a number >= 0');
    if (q) await q.drainAll(timeoutMs).catch((err) => { throw this.#portFailed(err); });
  }

  /** Kick the kernel now: send what inject() queued. */
  flush(): void {
    const q = this.#txq;
    if (this.closed) this.assertOpen();
    if (!q) return;
    try {
      q.throwDeferred();
      q.kick();
    } catch (err) {
      throw this.#portFailed(err);
    }
  }

  /**
   * Release on close() and on a fatal error: flush queued frames (waiting
   * at most 100 ms for them to leave; at once if the port is gone), then
   * as Session's.
   */
  protected override release(): void {
    // (Session's constructor may close before this class's fields exist.)
    if (#txq in this && this.#txq && !this.closed) this.#txq.close();
    super.release();
  }

  /** @internal Every call but the send calls kicks queued frames first:
   * this session's (a failure throws here), then other sessions'. */
  protected override beforeCall(): void {
    const q = this.#txq;
    if (q) {
      try {
        q.throwDeferred();
        q.flushIfQueued();
      } catch (err) {
        throw this.#portFailed(err);
      }
    }
    kickQueued();
  }

  /** A ring used after the session closed: throws as every call does then
   * (the fatal error not yet heard, or ECLOSED with it as cause). */
  readonly #ringClosed = (): boolean => {
    this.assertOpen();
    return true;
  };

  /** A send or a look failed: if the port is gone, the session ends (it
   * is thrown to the caller, so 'error' listeners hear it too). Returns err. */
  #portFailed(err: unknown): unknown {
    if (isFatalPortError(err)) this.endWith(err as Error, true);
    return err;
  }

  /** The TX ring and its queue, made on first use. */
  #queue(): TxQueue {
    this.assertOpen();
    if (!this.#txq) {
      const port = this.#live.port;
      port.openTx();
      let q: TxQueue | undefined;
      const ring = new Ring('tx', port.memory(MemoryRegion.TxRing),
        port.memory(MemoryRegion.TxBuffers), () => q!.kick(), () => !this.closed || this.#ringClosed(),
        (ms) => port.txWait(ms));
      q = new TxQueue(port, ring, this.device, this.#txWaitMs, (err) => {
        // A deferred kick found the port gone: the session ends, and the
        // next call throws err if no listener heard it.
        if (isFatalPortError(err)) return this.endWith(err, false) || true;
        if (this.listenerCount('error') === 0) return false;
        this.emit('error', err);
        return true;
      });
      this.#txq = q;
    }
    return this.#txq;
  }

  /** Capture only packets going 'in', 'out', or both ('inout'). */
  setDirection(direction: Direction): void {
    this.assertOpen();
    this.#live.port.setDirection(directionCode(direction));
  }

  /**
   * Block this thread until packets are readable or timeoutMs passes: for
   * tight loops in workers (`while (s.waitReadable(100)) s.dispatch(...)`).
   * Returns false on timeout.
   *
   * `spinUs` (default 0) is the busy-poll option: first re-check the ring
   * for up to that many microseconds without a system call, and only then
   * sleep in poll(2). On pipes, where a sync costs no system call, this
   * trades a spinning core for wake-up latency; use it for benchmarks and
   * dedicated cores, not in a shared process.
   */
  waitReadable(timeoutMs: number, spinUs = 0): boolean {
    this.assertOpen();
    check(Number.isInteger(timeoutMs) && timeoutMs >= -1, 'timeoutMs must be an integer >= -1');
    check(Number.isFinite(spinUs) && spinUs >= 0, 'spinUs must be a number >= 0');
    // Each look hands back what was read first: the kernel reports readable
    // while we hold any of its blocks, so poll(2) alone would say true.
    // Only the last look before sleeping prepares the wake-up, so a pipe's
    // sender pays no system call for a receiver that finds packets by
    // looking (or spinning).
    if (this.#peek()) return true;
    if (spinUs > 0 && this.#spin(spinUs)) return true;
    if (this.syncNow()) return true;
    return this.#live.port.waitReadable(timeoutMs);
  }

  /** The port's look without a wake-up; a fatal failure ends the session. */
  #peek(): boolean {
    try {
      return this.#live.peek();
    } catch (err) {
      throw this.#portFailed(err);
    }
  }

  /** Re-sync until packets show up or spinUs passes; true if they did. */
  #spin(spinUs: number): boolean {
    const deadline = process.hrtime.bigint() + BigInt(Math.ceil(spinUs * 1000));
    // The clock is read once per 64 syncs: a pipe sync is far cheaper.
    for (;;) {
      for (let i = 0; i < 64; i++) if (this.#peek()) return true;
      if (process.hrtime.bigint() >= deadline) return false;
    }
  }

  /** Keep the process alive while waiting for packets (the default). */
  ref(): this {
    if (!this.closed) this.#live.port.setRef(true);
    return this;
  }

  /** Let the process exit even while waiting for packets. */
  unref(): this {
    if (!this.closed) this.#live.port.setRef(false);
    return this;
  }
}

/**
 * Open a port for live capture and injection.
 *
 * `device` is an interface name (`eth0`, `lo`, `any`) or a prefixed name:
 * `pipe:NAME{N` / `pipe:NAME}N` for the two ends of a shared-memory pipe
 * (see the README's port table).
 */
export function openLive(device: string, options: LiveOptions = {}): LiveSession {
  return new LiveSession(device, options);
}
