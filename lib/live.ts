/**
 * Live sessions: a port (AF_PACKET today, other backends behind the same
 * C contract later) read and written through its rings.
 */
import { layout, MemoryRegion, native, NativeOpenArgs, NativePort, NativePortInfo, NativePortName } from './binding';
import { check, PcapError, PcapErrorCode } from './errors';
import { Direction, directionCode, LiveOptions, resolveLiveOptions } from './options';
import { checkPortName, PortName } from './ports';
import { Ring, ringLayout } from './ring';
import { Session } from './session';
import { PacketSource, ReadyCallback } from './source';

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, LEN } = ringLayout;
/** libpcap's PCAP_NETMASK_UNKNOWN. */
const NETMASK_UNKNOWN = 0xffffffff;
/** A frame shorter than an Ethernet header cannot be sent. */
const MIN_FRAME = 14;

/** A native port as a PacketSource: readiness from libuv's poll. */
class LivePort implements PacketSource {
  readonly port: NativePort;
  readonly info: NativePortInfo;
  readonly rx: Ring;
  readonly words: Uint32Array;
  readonly buffer: ArrayBuffer;
  readonly numSlots: number;
  readonly ended = false;
  readonly #ready: ReadyCallback;
  #polling = false;
  #closed = false;

  constructor(args: NativeOpenArgs, ready: ReadyCallback) {
    this.port = new native.Port();
    this.port.open(args);
    this.info = this.port.info();
    this.#ready = ready;
    this.rx = new Ring('rx', this.port.memory(MemoryRegion.RxRing),
      this.port.memory(MemoryRegion.RxBuffers), () => this.port.rxsync(), () => !this.#closed);
    this.words = this.rx.words;
    this.buffer = this.rx.buffer;
    this.numSlots = this.rx.numSlots;
  }

  get linktype(): number { return this.info.linktype; }
  get snaplen(): number { return this.info.snaplen; }
  linktypeOf(): number { return this.info.linktype; }

  sync(): void {
    this.port.rxsync();
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

  /** The error pending on the port (a link gone down, ...), if any. */
  #socketFailure(): PcapError | null {
    const f = this.port.socketError();
    return f ? new PcapError(f.message, f.code as PcapErrorCode) : null;
  }

  close(): void {
    this.#closed = true;
    this.#polling = false;
    this.port.close();
  }

  readonly #onPoll = (status: number): void => {
    if (status < 0) {
      // libuv has stopped the handle; the cause is the socket's error.
      this.port.pollStop();
      this.#polling = false;
      this.#ready(this.#socketFailure() ??
        new PcapError(`waiting for packets failed (libuv ${status})`, 'EIO'));
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
  #tx: Ring | undefined;

  /** @internal Use openLive(). */
  constructor(device: string, options: LiveOptions = {}) {
    // Every name error (and ENOTSUP) comes from lib/ports.ts, and C takes
    // the name parsed: the grammar lives in one place.
    const port = nativePortName(checkPortName(device));
    check(typeof options === 'object' && options !== null, 'options must be an object');
    let live: LivePort | undefined;
    const args = { ...resolveLiveOptions(options), port };
    super(device, (ready) => (live = new LivePort(args, ready)), args.timeoutMs, options.signal);
    this.#live = live!;
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

  /** The TX ring (made on first use): write frames into slots, sync. */
  txRing(index = 0): Ring {
    this.assertOpen();
    check(index === 0, `this port has one TX ring (index 0), not ${index}`);
    if (!this.#tx) {
      const port = this.#live.port;
      port.openTx();
      this.#tx = new Ring('tx', port.memory(MemoryRegion.TxRing),
        port.memory(MemoryRegion.TxBuffers), () => port.txsync(), () => !this.closed);
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
    this.assertOpen();
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
      // txsync waits (up to 1 s) when the ring is full; still full twice
      // in a row means the link is not taking frames.
      stalls = filled === 0 ? stalls + 1 : 0;
      if (stalls > 2) {
        throw Object.assign(new PcapError(`the transmit ring on ${this.device} stayed full ` +
          `after ${sent} frames`, 'EAGAIN'), { sent });
      }
    }
    return sent;
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
    // syncNow hands back what was read first: the kernel reports readable
    // while we hold any of its blocks, so poll(2) alone would say true.
    if (this.syncNow()) return true;
    if (spinUs > 0 && this.#spin(spinUs)) return true;
    return this.#live.port.waitReadable(timeoutMs);
  }

  /** Re-sync until packets show up or spinUs passes; true if they did. */
  #spin(spinUs: number): boolean {
    const deadline = process.hrtime.bigint() + BigInt(Math.ceil(spinUs * 1000));
    // The clock is read once per 64 syncs: a pipe sync is far cheaper.
    for (;;) {
      for (let i = 0; i < 64; i++) if (this.syncNow()) return true;
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
