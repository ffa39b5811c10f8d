/**
 * FanOut: netmap's `lb` in software. One capture port's packets are spread
 * over N `pipe:` ports by the symmetric flow hash (lib/flow/hash.ts), so N
 * worker threads or processes — each opening `pipe:NAME}i` with any API of
 * this library, or an unchanged program such as nmdump — share the work,
 * each with whole flows (both directions) and its own flow table, with no
 * locks: each pipe has one writer (this distributor) and one reader.
 *
 * Policy when a worker falls behind: a capture cannot be paused, so a
 * frame whose pipe stays full for `txWaitMs` is dropped and counted for
 * that worker (`drops`); the other workers go on. Within a pipe nothing is
 * reordered, so each flow's packets keep their capture order.
 */
import { EventEmitter } from 'node:events';
import { PcapError } from './errors';
import { flowHash, flowWorker, type FlowHashOptions } from './flow/hash';
import { LinkType } from './linktype';
import { openLive, type LiveSession } from './live';
import { checkPortName } from './ports';
import type { PacketHeader } from './packet';
import type { PacketEmitter } from './flow/engine';

export interface FanOutOptions extends FlowHashOptions {
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
}

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

  /** Which worker a frame goes to (the same choice push() makes). */
  workerOf(data: Uint8Array, linktype: number = LinkType.ETHERNET): number {
    return flowWorker(flowHash(data, linktype, this.#hash), this.workers);
  }

  /**
   * Hand one Ethernet frame to its worker's pipe (copied: `data` may be a
   * leased ring view). Returns the worker index, or -1 if the frame was
   * dropped (counted in that worker's `drops`). Pipes carry Ethernet, so
   * frames of another link type are refused up front.
   */
  push(data: Uint8Array, _header?: PacketHeader, linktype: number = LinkType.ETHERNET): number {
    if (this.#closed) throw new PcapError('FanOut: push() after close()', 'ECLOSED');
    if (linktype !== LinkType.ETHERNET) {
      throw new PcapError(`FanOut: pipes carry Ethernet frames; this source's link type is ${linktype} (capture on an Ethernet interface, not "any")`, 'ENOTSUP');
    }
    const w = flowWorker(flowHash(data, linktype, this.#hash), this.workers);
    const st = this.#stats[w];
    const pipe = this.#pipes[w];
    if (pipe === null) { st.drops++; return -1; }
    try {
      pipe.inject(data);
    } catch (err) {
      st.drops++;
      const code = (err as PcapError).code;
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
    return { workers: this.#stats.map((s) => ({ ...s })), total };
  }

  /**
   * Send what is queued and close the pipes, last first. Each worker then
   * reads the frames still in its pipe and gets `EPIPE`: its end of input.
   * Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (let i = this.#pipes.length - 1; i >= 0; i--) {
      const p = this.#pipes[i];
      this.#pipes[i] = null;
      p?.close();
    }
  }
}
