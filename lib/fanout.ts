/**
 * FanOut: netmap's `lb` in software. One capture port's packets are spread
 * over N `pipe:` ports by the symmetric flow hash (lib/flow/hash.ts), so N
 * worker threads or processes — each opening `pipe:NAME}i` with any API of
 * this library, or an unchanged program such as nmdump — share the work,
 * each with whole flows (both directions) and its own flow table, with no
 * locks: each pipe has one writer (this distributor) and one reader.
 *
 * Fragments: with the 5-tuple hash (the default) a datagram's fragments
 * follow its first fragment to the flow's worker (lib/fanout-fragments.ts);
 * fragments that arrive before their first fragment wait for it, at most
 * `fragmentHoldMs`. With `ports: false` every packet hashes on its address
 * pair, and fragments go with their flow without waiting.
 *
 * Policy when a worker falls behind: a capture cannot be paused, so a
 * frame whose pipe stays full for `txWaitMs` is dropped and counted for
 * that worker (`drops`), and so are its further frames until the next
 * turn of the event loop — one wait per slow worker per turn — while the
 * other workers go on. Within a pipe nothing is
 * reordered, so each flow's packets keep their capture order.
 */
import { EventEmitter } from 'node:events';
import { PcapError } from './errors';
import { flowHash, flowWorker, type FlowHashOptions } from './flow/hash';
import { FragmentSteer, HELD, type FragmentSteerStats } from './fanout-fragments';
import { LinkType } from './linktype';
import { openLive, type LiveSession } from './live';
import { checkPortName } from './ports';
import type { PacketHeader } from './packet';
import type { PacketEmitter } from './flow/engine';

export interface FanOutOptions {
  /** Hash ports too (default true); false: addresses only (see FlowHashOptions.ports). */
  ports?: boolean;
  /** How long a fragment that came before its datagram's first fragment waits for it, ms of packet time (the headers push() gets; wall time without one). Default 100. */
  fragmentHoldMs?: number;
  /** Bytes of such fragments held at once (the oldest datagram goes first). Default 1 MiB. */
  fragmentHoldBytes?: number;
  /** The pipes' name: the distributor opens `pipe:NAME{0` … `pipe:NAME{N-1`, worker i opens `pipe:NAME}i`. */
  name: string;
  /** Number of workers (pipes), 1 to 256. */
  workers: number;
  /** Slots of each pipe (see docs/backends.md, Pipes). Default the pipe's (4096). */
  ringSlots?: number;
  /** Bytes of each pipe's buffers. Default the pipe's. */
  bufferSize?: number;
  /** How long a frame may wait for room in a full pipe before it is dropped, ms. Default 20. */
  txWaitMs?: number;
}

export interface FanOutWorkerStats {
  /** Frames handed to this worker's pipe. */
  packets: number;
  bytes: number;
  /** Frames this worker did not get: its pipe stayed full (EAGAIN), the frame did not fit a slot, or the worker was gone. */
  drops: number;
}

export interface FanOutStats {
  workers: FanOutWorkerStats[];
  total: FanOutWorkerStats;
  /** Fragments that waited for their first fragment, and those whose first fragment never came (sent by address pair). */
  fragments: FragmentSteerStats;
}

/** push()'s answer for a fragment held until its datagram's first fragment arrives. */
export const FANOUT_HELD = HELD;

/**
 * Events: `'worker-error'` (index, PcapError) the first time a worker's
 * pipe fails for a reason other than being full (the worker closed or
 * died: `EPIPE`); its later frames are counted as drops.
 */
export class FanOut extends EventEmitter {
  /** The port names the workers open, by worker index: `pipe:NAME}i`. */
  readonly ports: readonly string[];
  readonly workers: number;
  readonly #pipes: (LiveSession | null)[];
  readonly #stats: FanOutWorkerStats[];
  readonly #hash: FlowHashOptions;
  readonly #steer: FragmentSteer | null;
  /** Workers whose pipe stayed full this turn: their frames are dropped without waiting again. */
  readonly #full = new Set<number>();
  #closed = false;

  constructor(options: FanOutOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new PcapError('FanOut: options must be an object, e.g. { name: "work", workers: 4 }', 'EINVAL');
    const { name, workers } = options;
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
      throw new PcapError(`FanOut: workers must be an integer from 1 to 256, got ${String(workers)}`, 'EINVAL');
    }
    // The one port parser checks the name (and gives the grammar if it is wrong).
    for (const end of ['{', '}']) checkPortName(`pipe:${String(name)}${end}0`);
    this.workers = workers;
    this.#hash = { ports: options.ports };
    const holdMs = options.fragmentHoldMs ?? 100;
    const holdBytes = options.fragmentHoldBytes ?? 1 << 20;
    if (typeof holdMs !== 'number' || !(holdMs >= 0)) throw new PcapError(`FanOut: fragmentHoldMs must be a number >= 0, got ${String(holdMs)}`, 'EINVAL');
    if (typeof holdBytes !== 'number' || !(holdBytes >= 0)) throw new PcapError(`FanOut: fragmentHoldBytes must be a number >= 0, got ${String(holdBytes)}`, 'EINVAL');
    this.#steer = options.ports === false ? null : new FragmentSteer(workers, holdMs, holdBytes, (w, f) => this.#sendTo(w, f));
    const pipeOptions = {
      ...(options.ringSlots !== undefined ? { ringSlots: options.ringSlots } : {}),
      ...(options.bufferSize !== undefined ? { bufferSize: options.bufferSize } : {}),
      txWaitMs: options.txWaitMs ?? 20,
    };
    this.ports = Array.from({ length: workers }, (_, i) => `pipe:${name}}${i}`);
    this.#stats = Array.from({ length: workers }, () => ({ packets: 0, bytes: 0, drops: 0 }));
    this.#pipes = [];
    try {
      for (let i = 0; i < workers; i++) this.#pipes.push(openLive(`pipe:${name}{${i}`, pipeOptions));
    } catch (err) {
      // Leave nothing half-open: close the pipes opened so far, in reverse order.
      for (const p of this.#pipes.reverse()) p?.close();
      throw err;
    }
  }

  /**
   * Which worker a frame goes to (push()'s choice), for a frame that is not
   * a fragment; with the 5-tuple hash a fragment goes where its first
   * fragment went.
   */
  workerOf(data: Uint8Array, linktype: number = LinkType.ETHERNET): number {
    return flowWorker(flowHash(data, linktype, this.#hash), this.workers);
  }

  /**
   * Hand one Ethernet frame to its worker's pipe (copied: `data` may be a
   * leased ring view). Returns the worker index, -1 if the frame was
   * dropped (counted in that worker's `drops`), or FANOUT_HELD (-2) for a
   * fragment waiting for its datagram's first fragment. Pipes carry Ethernet, so
   * frames of another link type are refused up front.
   */
  push(data: Uint8Array, header?: PacketHeader, linktype: number = LinkType.ETHERNET): number {
    if (this.#closed) throw new PcapError('FanOut: push() after close()', 'ECLOSED');
    if (linktype !== LinkType.ETHERNET) {
      throw new PcapError(`FanOut: pipes carry Ethernet frames; this source's link type is ${linktype} (capture on an Ethernet interface, not "any")`, 'ENOTSUP');
    }
    // Fragments wait for their first fragment in packet time (the header's), else wall time.
    const routed = this.#steer === null ? null
      : this.#steer.route(data, linktype, header !== undefined ? header.tsSec * 1000 + header.tsNsec / 1e6 : Date.now());
    if (routed !== null) return routed;
    return this.#sendTo(flowWorker(flowHash(data, linktype, this.#hash), this.workers), data);
  }

  /** Copy one frame into worker w's pipe; w, or -1 if it was dropped. */
  #sendTo(w: number, data: Uint8Array): number {
    const st = this.#stats[w];
    const pipe = this.#pipes[w];
    if (pipe === null || this.#full.has(w)) { st.drops++; return -1; }
    try {
      pipe.inject(data);
    } catch (err) {
      st.drops++;
      const code = (err as PcapError).code;
      if (code === 'EAGAIN') {
        // One wait of txWaitMs per slow worker per turn, not one per frame:
        // the other workers' frames must not queue behind it.
        if (this.#full.size === 0) setImmediate(() => this.#full.clear());
        this.#full.add(w);
      }
      // Full (EAGAIN) or a frame the slots cannot hold (EMSGSIZE): this frame only.
      if (code !== 'EAGAIN' && code !== 'EMSGSIZE' && code !== 'EINVAL') {
        this.#pipes[w] = null;
        pipe.close();
        this.emit('worker-error', w, err);
      }
      return -1;
    }
    st.packets++;
    st.bytes += data.length;
    return w;
  }

  /** Distribute every packet a session delivers; returns the function that stops it. */
  attach(session: PacketEmitter): () => void {
    const linktype = session.datalink();
    if (linktype !== LinkType.ETHERNET) {
      throw new PcapError(`FanOut: pipes carry Ethernet frames; this session's link type is ${linktype} (capture on an Ethernet interface, not "any")`, 'ENOTSUP');
    }
    const listener = (data: Buffer, header: PacketHeader): void => { this.push(data, header, linktype); };
    session.on('packet', listener);
    return () => { session.off('packet', listener); };
  }

  /** Kick every pipe now (frames are otherwise sent once per turn of the event loop). */
  flush(): void {
    for (const p of this.#pipes) p?.flush();
  }

  stats(): FanOutStats {
    const total = { packets: 0, bytes: 0, drops: 0 };
    for (const s of this.#stats) { total.packets += s.packets; total.bytes += s.bytes; total.drops += s.drops; }
    return { workers: this.#stats.map((s) => ({ ...s })), total, fragments: { ...(this.#steer?.stats ?? { held: 0, unmatched: 0 }) } };
  }

  /**
   * Send what is queued and close the pipes, last first. Each worker then
   * reads the frames still in its pipe and gets `EPIPE`: its end of input.
   * Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#steer?.flush(); // fragments still waiting go by address pair
    this.#closed = true;
    for (let i = this.#pipes.length - 1; i >= 0; i--) {
      const p = this.#pipes[i];
      this.#pipes[i] = null;
      p?.close();
    }
  }
}
