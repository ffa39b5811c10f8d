/**
 * netmap's ring model, as JavaScript sees it.
 *
 * A ring has `numSlots` slots and three indices that move forward and
 * wrap: the application owns the slots in `[head, tail)`, the backend owns
 * the rest, and `cur` is the wake-up threshold. On an RX ring, after
 * `sync()` the slots in `[head, tail)` hold received packets; moving `head`
 * past them hands them back. On a TX ring, `[head, tail)` are free slots:
 * write frames into their buffers, set their lengths, move `head` past them
 * and `sync()` sends them.
 *
 * Everything lives in memory mapped once: the slot descriptors in one
 * ArrayBuffer, the packet bytes in another (`buffer`, `bytes`). Reading a
 * packet costs no native call and no allocation; `sync()` is the one native
 * call per batch. C validates every index and length written here before
 * using it: a bad one throws a PcapError with code EBADSLOT and the ring
 * goes back to its last valid state.
 */
import { layout } from './binding';
import { PcapError } from './errors';

const W = Uint32Array.BYTES_PER_ELEMENT;
const HEAD = layout.offsetof_ring_head / W;
const CUR = layout.offsetof_ring_cur / W;
const TAIL = layout.offsetof_ring_tail / W;
const NUM_SLOTS = layout.offsetof_ring_num_slots / W;
const BUF_SIZE = layout.offsetof_ring_buf_size / W;
/** Index of slot 0's first word, and words per slot. */
const SLOT0 = layout.sizeof_ring_hdr / W;
const SLOT_WORDS = layout.sizeof_slot / W;
const S_OFFSET = layout.offsetof_slot_offset / W;
const S_CAPLEN = layout.offsetof_slot_caplen / W;
const S_LEN = layout.offsetof_slot_len / W;
const S_TS_SEC = layout.offsetof_slot_ts_sec / W;
const S_TS_NSEC = layout.offsetof_slot_ts_nsec / W;
const S_FLAGS = layout.offsetof_slot_flags / W;

/**
 * Word positions inside a ring's `words` array, for loops that read slots
 * straight from it: slot i's field F is `words[SLOT0 + i * SLOT_WORDS + F]`.
 */
export const ringLayout = Object.freeze({
  HEAD, CUR, TAIL, NUM_SLOTS, SLOT0, SLOT_WORDS,
  OFFSET: S_OFFSET, CAPLEN: S_CAPLEN, LEN: S_LEN,
  TS_SEC: S_TS_SEC, TS_NSEC: S_TS_NSEC, FLAGS: S_FLAGS,
  /** The shortest frame a TX slot may hold (the longest: `ring.bufSize`). */
  TX_MIN_LEN: layout.TX_MIN_LEN,
});

/** Slot flag: the packet was sent by this host (RX rings). */
export const SLOT_OUTGOING = layout.SLOT_OUTGOING;

export type RingKind = 'rx' | 'tx';

export class Ring {
  /** 'rx' or 'tx'. */
  readonly kind: RingKind;
  readonly numSlots: number;
  /** RX: the snaplen. TX: the largest frame a slot's buffer takes. */
  readonly bufSize: number;
  /** Packet memory; slot offsets point into it. */
  readonly buffer: ArrayBuffer;
  /** `buffer` as bytes. */
  readonly bytes: Uint8Array;
  /** The ring header and slot descriptors (see `ringLayout`). */
  readonly words: Uint32Array;
  readonly #sync: () => number;
  readonly #isOpen: () => boolean;
  readonly #wait: ((timeoutMs: number) => number) | undefined;

  /** @internal Made by a session: `session.rxRing()` / `session.txRing()`. */
  constructor(kind: RingKind, ringMemory: ArrayBuffer, buffer: ArrayBuffer,
              sync: () => number, isOpen: () => boolean,
              wait?: (timeoutMs: number) => number) {
    this.kind = kind;
    this.words = new Uint32Array(ringMemory);
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    this.numSlots = this.words[NUM_SLOTS];
    this.bufSize = this.words[BUF_SIZE];
    this.#sync = sync;
    this.#isOpen = isOpen;
    this.#wait = wait;
  }

  #open(): void {
    if (!this.#isOpen()) throw new PcapError('the session is closed', 'ECLOSED');
  }

  get head(): number { this.#open(); return this.words[HEAD]; }
  set head(v: number) { this.#open(); this.words[HEAD] = v; }
  get cur(): number { this.#open(); return this.words[CUR]; }
  set cur(v: number) { this.#open(); this.words[CUR] = v; }
  get tail(): number { this.#open(); return this.words[TAIL]; }

  /** Slots the application owns: packets to read (RX) or free slots (TX). */
  get space(): number {
    const h = this.head;
    const t = this.tail;
    return t >= h ? t - h : t + this.numSlots - h;
  }

  /** The slot after i. */
  next(i: number): number {
    return i + 1 === this.numSlots ? 0 : i + 1;
  }

  /** Give back (RX) or submit (TX) everything before `i`: head = cur = i. */
  advance(i: number): void {
    this.head = i;
    this.words[CUR] = i;
  }

  /**
   * The one native call per batch. RX: release the slots before head and
   * publish newly received ones. TX: send the slots before head and
   * reclaim sent ones. Returns the slots the application now owns. Never
   * waits: a full TX ring returns 0 (see wait()).
   */
  sync(): number {
    this.#open();
    return this.#sync();
  }

  /**
   * TX: wait, at most timeoutMs, for a free slot (sync() never waits, and
   * returns 0 when the ring is full). Blocks this thread: for loops that
   * own it, such as workers and tools; code on the event loop uses
   * `await session.send()`. Returns the free slots (0: still full).
   */
  wait(timeoutMs: number): number {
    this.#open();
    if (!this.#wait) throw new PcapError('only a TX ring can wait for room', 'EINVAL');
    if (!(Number.isInteger(timeoutMs) && timeoutMs >= 0 && timeoutMs <= 60_000)) {
      throw new PcapError(`timeoutMs must be an integer from 0 to 60000, not ${String(timeoutMs)}`, 'EINVAL');
    }
    return this.#wait(timeoutMs);
  }

  slotOffset(i: number): number { return this.words[SLOT0 + i * SLOT_WORDS + S_OFFSET]; }
  slotCaplen(i: number): number { return this.words[SLOT0 + i * SLOT_WORDS + S_CAPLEN]; }
  slotLen(i: number): number { return this.words[SLOT0 + i * SLOT_WORDS + S_LEN]; }
  slotTsSec(i: number): number { return this.words[SLOT0 + i * SLOT_WORDS + S_TS_SEC]; }
  slotTsNsec(i: number): number { return this.words[SLOT0 + i * SLOT_WORDS + S_TS_NSEC]; }
  slotFlags(i: number): number { return this.words[SLOT0 + i * SLOT_WORDS + S_FLAGS]; }

  /** TX: how many bytes slot i sends. Checked by C at sync(). */
  setSlotLen(i: number, len: number): void {
    this.#open();
    this.words[SLOT0 + i * SLOT_WORDS + S_LEN] = len;
  }

  /** Slot i's packet bytes, as a view (valid until the slot is released). */
  slotView(i: number): Uint8Array {
    const o = this.slotOffset(i);
    return this.bytes.subarray(o, o + (this.kind === 'rx' ? this.slotCaplen(i) : this.bufSize));
  }
}
