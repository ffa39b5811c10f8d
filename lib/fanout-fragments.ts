/**
 * FragmentSteer: lets FanOut send every fragment of a datagram to the
 * worker of its flow (5-tuple), not just to one worker. Only the first
 * fragment carries the ports; it decides, and the datagram's later
 * fragments follow it. Fragments that arrive before their first fragment
 * wait for it (copied), bounded in bytes and in packet time (the capture
 * timestamps, so a savefile read on a busy machine splits as it would
 * live); if it never comes they go, in arrival order, to the worker of
 * their address pair (the defragmenter there will time the datagram out
 * anyway). A wall-clock timer, ten times longer, empties the queue when no
 * packet comes at all.
 *
 * Fragments are rare, so this keeps it simple: a Map of recent datagrams'
 * workers and a list of held frames, both bounded.
 */
import { flowHash, flowWorker, fragmentOf } from './flow/hash';

/** route()'s answer for a fragment that waits for its first fragment. */
export const HELD = -2;

/** Datagrams whose worker is remembered (their later fragments follow it). */
const REMEMBERED = 4096;

interface Held { key: string; frame: Uint8Array; atMs: number }

export interface FragmentSteerStats {
  /** Fragments held until their first fragment came. */
  held: number;
  /** Held fragments whose first fragment never came (sent by address pair). */
  unmatched: number;
}

export class FragmentSteer {
  readonly #workers: number;
  readonly #holdMs: number;
  readonly #maxHeldBytes: number;
  readonly #send: (worker: number, frame: Uint8Array) => number;
  /** Datagram key → worker, oldest first. */
  readonly #known = new Map<string, number>();
  #held: Held[] = [];
  #heldBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  readonly stats: FragmentSteerStats = { held: 0, unmatched: 0 };

  constructor(workers: number, holdMs: number, maxHeldBytes: number, send: (worker: number, frame: Uint8Array) => number) {
    this.#workers = workers;
    this.#holdMs = holdMs;
    this.#maxHeldBytes = maxHeldBytes;
    this.#send = send;
  }

  /**
   * Route `frame` if it is a fragment: what `send` returned for it, or
   * HELD if it waits for its first fragment; null if it is not a fragment
   * (the caller sends it).
   */
  route(frame: Uint8Array, linktype: number, nowMs: number): number | null {
    if (this.#held.length > 0) this.expire(nowMs);
    const f = fragmentOf(frame, linktype);
    if (f === null) return null;
    if (f.first) {
      const w = flowWorker(flowHash(frame, linktype, { firstFragmentPorts: true }), this.#workers);
      this.#remember(f.key, w);
      // What waited for this fragment goes first: it arrived first.
      if (this.#held.length > 0) this.#release((h) => h.key === f.key, w);
      return this.#send(w, frame);
    }
    const w = this.#known.get(f.key);
    if (w !== undefined) return this.#send(w, frame);
    const copy = Uint8Array.prototype.slice.call(frame) as Uint8Array;
    this.#held.push({ key: f.key, frame: copy, atMs: nowMs });
    this.#heldBytes += copy.length;
    this.stats.held++;
    while (this.#heldBytes > this.#maxHeldBytes) this.#giveUp(this.#held[0].key);
    this.#armIdleTimer();
    return HELD;
  }

  /** Packet time moved on: give up the datagrams whose fragments waited longer than holdMs. */
  expire(nowMs: number): void {
    while (this.#held.length > 0 && nowMs - this.#held[0].atMs >= this.#holdMs) this.#giveUp(this.#held[0].key);
  }

  /** No packet at all for 10 × holdMs (at least 1 s) of wall time: send what is held. */
  #armIdleTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    // Unref'd: held fragments never keep the process alive.
    this.#timer = setTimeout(() => { this.#timer = null; this.flush(); }, Math.max(1000, 10 * this.#holdMs));
    this.#timer.unref();
  }

  /** Send everything held (end of input). */
  flush(): void {
    while (this.#held.length > 0) this.#giveUp(this.#held[0].key);
    if (this.#timer !== null) { clearTimeout(this.#timer); this.#timer = null; }
  }

  #giveUp(key: string): void {
    const first = this.#held.find((h) => h.key === key)!;
    // FanOut's frames are Ethernet (LINKTYPE 1).
    const w = flowWorker(flowHash(first.frame, 1, { ports: false }), this.#workers);
    const n = this.#release((h) => h.key === key, w);
    this.stats.unmatched += n;
  }

  /** Send the held frames that match, in arrival order, to worker w; returns how many. */
  #release(match: (h: Held) => boolean, w: number): number {
    const keep: Held[] = [];
    let n = 0;
    for (const h of this.#held) {
      if (match(h)) { this.#heldBytes -= h.frame.length; this.#send(w, h.frame); n++; } else keep.push(h);
    }
    this.#held = keep;
    return n;
  }

  #remember(key: string, w: number): void {
    this.#known.delete(key);
    this.#known.set(key, w);
    if (this.#known.size > REMEMBERED) this.#known.delete(this.#known.keys().next().value as string);
  }
}
