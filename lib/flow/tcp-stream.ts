/**
 * TcpStream: one direction of a TCP connection as an in-order byte
 * stream. Segments are placed by sequence number (modulo 2^32); what
 * arrives ahead of a hole waits, bounded, until the hole fills or is given
 * up as a gap.
 *
 * Overlap policy: first wins. Bytes already delivered never change, and
 * bytes already waiting ahead of a hole are kept; a later segment only
 * contributes bytes nobody has sent yet. (Stacks differ here — Linux's
 * out-of-order queue lets a new segment replace what it fully covers —
 * but a passive observer cannot know which copy the receiver kept;
 * first-wins is deterministic and matches what was delivered in order.)
 * Overlapping bytes are counted (`overlapBytes`, `retransmittedBytes`).
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { PcapError } from '../errors';
import { seqAdd, seqDiff } from './seq';

/** Why a gap was declared: bytes that were never seen are skipped. */
export type GapReason =
  /** A hole older than `gapTimeoutMs` of packet time. */
  | 'timeout'
  /** The stream's (or all streams') out-of-order bytes reached their bound. */
  | 'memory'
  /** The connection closed, timed out or was evicted with holes left. */
  | 'close'
  /** The Readable's reader fell behind by more than `maxUnreadBytes` (overflow: 'drop'). */
  | 'reader';

export interface TcpGap {
  /** Sequence number of the first missing byte. */
  seq: number;
  length: number;
  reason: GapReason;
}

export interface TcpStreamStats {
  /** Bytes delivered in order. */
  bytes: number;
  /** Segments that carried payload. */
  segments: number;
  /** Payload bytes that repeated bytes already delivered. */
  retransmittedBytes: number;
  /** Bytes of out-of-order segments that fell on bytes already waiting (the first kept). */
  overlapBytes: number;
  /** Segments dropped because they start more than twice the receiver's largest window past its last ACK. */
  outOfWindow: number;
  gaps: number;
  gapBytes: number;
  /** Out-of-order bytes waiting now. */
  buffered: number;
}

/** Shared by the streams of one reassembler: the bytes all of them buffer. */
export interface BufferAccount { bytes: number }

export interface StreamReadableOptions {
  /** Passed to the Readable. Default 64 KiB. */
  highWaterMark?: number;
  /** Bytes the reader may leave unread before `overflow` applies. Default 16 MiB. */
  maxUnreadBytes?: number;
  /**
   * A capture cannot be paused, so a reader slower than the traffic either
   * loses bytes or the stream: 'destroy' (default) destroys the Readable
   * with PcapError ENOMEM; 'drop' discards the bytes that do not fit and
   * reports them as a 'gap' with reason 'reader'.
   */
  overflow?: 'destroy' | 'drop';
}

interface Waiting { seq: number; data: Uint8Array }

/**
 * Events: `'data'` (chunk: Uint8Array, seq: number) — in-order bytes; a
 * chunk may view packet memory, so it is valid during the listener only
 * (copy what you keep); `'gap'` (TcpGap); `'end'` () once, at the FIN or
 * when the connection closes.
 */
export class TcpStream extends EventEmitter {
  /** Sequence number of the next byte expected (meaningful once started). */
  next = 0;
  /** The sender's initial sequence number, if its SYN was seen. */
  isn: number | null = null;
  /** The window scale the sender announced in its SYN (-1: none seen). */
  windowScale = -1;
  /** The largest window (bytes, scaled) the other side advertised: bounds how far ahead data may be. 0: unknown. */
  receiveWindow = 0;
  /** The highest byte the receiver acknowledged (-1: none seen): the window counts from there. */
  acked = -1;
  started = false;
  ended = false;
  /** true if the stream was joined after its first byte (no SYN seen). */
  midStream = false;

  #waiting: Waiting[] = [];
  #buffered = 0;
  #holeSinceMs = 0;
  #finSeq = -1;
  #stats: TcpStreamStats = { bytes: 0, segments: 0, retransmittedBytes: 0, overlapBytes: 0, outOfWindow: 0, gaps: 0, gapBytes: 0, buffered: 0 };
  #readable: Readable | null = null;
  #readableOptions: Required<StreamReadableOptions> | null = null;

  constructor(
    readonly src: string, readonly srcPort: number, readonly dst: string, readonly dstPort: number,
    private readonly account: BufferAccount, private readonly maxBuffered: number,
  ) { super(); }

  stats(): TcpStreamStats {
    return { ...this.#stats, buffered: this.#buffered };
  }

  /** Out-of-order bytes waiting. */
  get buffered(): number {
    return this.#buffered;
  }

  /** @internal The sender's SYN: the stream starts after it. */
  syn(seq: number): void {
    if (this.started) return;
    this.started = true;
    this.isn = seq;
    this.next = seqAdd(seq, 1);
  }

  /** @internal One segment's payload (a view, possibly of leased memory) and its FIN flag. */
  segment(seq: number, data: Uint8Array, fin: boolean, nowMs: number): void {
    if (this.ended) {
      this.#stats.retransmittedBytes += data.length;
      return;
    }
    if (!this.started) {
      this.started = true;
      this.midStream = true;
      this.next = seq;
    }
    const len = data.length;
    if (fin && this.#finSeq < 0) this.#finSeq = seqAdd(seq, len);
    if (len > 0) {
      this.#stats.segments++;
      const off = seqDiff(seq, this.next);
      if (off + len <= 0) {
        this.#stats.retransmittedBytes += len;
      } else if (off <= 0) {
        this.#stats.retransmittedBytes += -off;
        this.#deliver(data.subarray(-off), this.next);
        this.#drain();
      } else if (this.receiveWindow > 0 && this.acked >= 0 && seqDiff(seq, this.acked) > 2 * Math.max(this.receiveWindow, 65535)) {
        this.#stats.outOfWindow++;
      } else {
        this.#hold(seq, off, data, nowMs);
        while (this.#buffered > this.maxBuffered) this.skipGap('memory');
      }
    }
    this.#checkFin();
  }

  /** @internal Give up a hole older than `gapTimeoutMs`, if there is one. */
  expireGap(nowMs: number, gapTimeoutMs: number): void {
    while (this.#waiting.length > 0 && this.#holeSinceMs + gapTimeoutMs <= nowMs) {
      this.skipGap('timeout');
      this.#holeSinceMs = nowMs;
    }
  }

  /**
   * @internal Skip the first hole: report it as a gap and deliver what
   * waited behind it. A FIN seen beyond missing bytes counts as a hole too.
   */
  skipGap(reason: GapReason): void {
    let to: number;
    if (this.#waiting.length > 0) to = this.#waiting[0].seq;
    else if (this.#finSeq >= 0 && seqDiff(this.#finSeq, this.next) > 0) to = this.#finSeq;
    else return;
    this.#gap(this.next, seqDiff(to, this.next), reason);
    this.next = to;
    this.#drain();
    this.#checkFin();
  }

  /** @internal The connection is gone: give up every hole, then end. */
  close(): void {
    while (!this.ended && (this.#waiting.length > 0 || (this.#finSeq >= 0 && seqDiff(this.#finSeq, this.next) > 0))) {
      this.skipGap('close');
    }
    this.#end();
  }

  /**
   * This direction's bytes as a Readable, from now on (create it in the
   * 'connection' listener to get every byte). Capture cannot wait for a
   * slow reader: see {@link StreamReadableOptions.overflow} for what
   * happens when it falls `maxUnreadBytes` behind. Calling it again
   * returns the same Readable.
   */
  readable(options: StreamReadableOptions = {}): Readable {
    if (this.#readable) return this.#readable;
    const overflow = options.overflow ?? 'destroy';
    if (overflow !== 'destroy' && overflow !== 'drop') {
      throw new PcapError(`TcpStream.readable: overflow must be 'destroy' or 'drop', got ${String(overflow)}`, 'EINVAL');
    }
    this.#readableOptions = {
      highWaterMark: options.highWaterMark ?? 65536, maxUnreadBytes: options.maxUnreadBytes ?? 16 << 20, overflow,
    };
    // read() has nothing to do: bytes are pushed as packets arrive.
    this.#readable = new Readable({ highWaterMark: this.#readableOptions.highWaterMark, read() {} });
    if (this.ended) this.#readable.push(null);
    return this.#readable;
  }

  /** `for await (const chunk of stream)`: the Readable's iterator (chunks are Buffers the loop owns). */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    return this.readable()[Symbol.asyncIterator]();
  }

  #hold(seq: number, off: number, data: Uint8Array, nowMs: number): void {
    // The parts of [off, off+len) no waiting segment covers (first wins).
    let parts: number[] = [off, off + data.length];
    for (const w of this.#waiting) {
      const a = seqDiff(w.seq, this.next);
      const b = a + w.data.length;
      const next: number[] = [];
      for (let i = 0; i < parts.length; i += 2) {
        const s = parts[i];
        const e = parts[i + 1];
        if (e <= a || s >= b) { next.push(s, e); continue; }
        if (s < a) next.push(s, a);
        if (e > b) next.push(b, e);
      }
      parts = next;
      if (parts.length === 0) break;
    }
    let kept = 0;
    for (let i = 0; i < parts.length; i += 2) {
      const bytes = Uint8Array.prototype.slice.call(data, parts[i] - off, parts[i + 1] - off) as Uint8Array;
      this.#insert({ seq: seqAdd(this.next, parts[i]), data: bytes });
      kept += bytes.length;
    }
    this.#stats.overlapBytes += data.length - kept;
    if (this.#buffered === 0 && kept > 0) this.#holeSinceMs = nowMs;
    this.#buffered += kept;
    this.account.bytes += kept;
  }

  #insert(w: Waiting): void {
    const off = seqDiff(w.seq, this.next);
    let i = this.#waiting.length;
    while (i > 0 && seqDiff(this.#waiting[i - 1].seq, this.next) > off) i--;
    this.#waiting.splice(i, 0, w);
  }

  /** Deliver what waited and now starts at or before `next`. */
  #drain(): void {
    while (this.#waiting.length > 0) {
      const w = this.#waiting[0];
      const off = seqDiff(w.seq, this.next);
      if (off > 0) break;
      this.#waiting.shift();
      this.#buffered -= w.data.length;
      this.account.bytes -= w.data.length;
      if (off + w.data.length > 0) this.#deliver(w.data.subarray(-off), this.next);
    }
  }

  #deliver(chunk: Uint8Array, seq: number): void {
    this.next = seqAdd(this.next, chunk.length);
    this.#stats.bytes += chunk.length;
    this.emit('data', chunk, seq);
    const r = this.#readable;
    if (r !== null && !r.destroyed) {
      const o = this.#readableOptions!;
      if (r.readableLength + chunk.length > o.maxUnreadBytes) {
        if (o.overflow === 'destroy') {
          r.destroy(new PcapError(`TcpStream: the reader fell ${o.maxUnreadBytes} bytes behind (maxUnreadBytes); read faster, raise the bound, or use overflow: 'drop'`, 'ENOMEM'));
        } else {
          this.#gap(seq, chunk.length, 'reader', false);
        }
        return;
      }
      r.push(Buffer.from(chunk));
    }
  }

  #gap(seq: number, length: number, reason: GapReason, counted = true): void {
    if (length <= 0) return;
    if (counted) {
      this.#stats.gaps++;
      this.#stats.gapBytes += length;
    }
    const gap: TcpGap = { seq, length, reason };
    this.emit('gap', gap);
  }

  #checkFin(): void {
    if (this.#finSeq >= 0 && this.#waiting.length === 0 && seqDiff(this.next, this.#finSeq) >= 0) {
      this.next = seqAdd(this.#finSeq, 1);
      this.#end();
    }
  }

  #end(): void {
    if (this.ended) return;
    this.ended = true;
    // Whatever still waits is past the FIN or past the end: nothing to deliver.
    this.account.bytes -= this.#buffered;
    this.#buffered = 0;
    this.#waiting = [];
    this.emit('end');
    this.#readable?.push(null);
  }
}
