/**
 * IP defragmentation, IPv4 (RFC 791) and IPv6 (RFC 8200 §4.5), with the
 * hole-descriptor list of RFC 815: a datagram starts as one hole
 * [0, infinity); each fragment fills the parts of the holes it covers and
 * leaves the rest as smaller holes; the datagram is whole when no hole is
 * left.
 *
 * Overlaps: by default the bytes that arrived first win (a later fragment
 * only fills holes), the policy of Linux's reassembly before 4.19 and of
 * the BSDs for the leading edge. `overlap: 'drop'` discards the whole
 * datagram instead when a fragment overlaps one already held (exact
 * duplicates excepted), which is what Linux does since 4.19 and what RFC
 * 5722 requires for IPv6.
 *
 * Time is packet time (the capture timestamps), so an offline run expires
 * the same datagrams a live one would.
 */
import type { Ipv4Layer } from '../decode/ipv4';
import type { Ipv6Extension, Ipv6Layer } from '../decode/ipv6';
import { internetChecksum } from '../craft/checksum';
import { PcapError } from '../errors';

/** Why a datagram (or a lone fragment) was given up. */
export type DefragDropReason =
  /** Not complete within `timeoutMs` of its first fragment (packet time). */
  | 'timeout'
  /** Evicted, oldest first, to keep within `maxBytes` / `maxDatagrams`. */
  | 'memory'
  /** Fragments reach past `maxDatagramBytes` (or the 65535 bytes IP allows). */
  | 'too-big'
  /** Overlapping fragments with `overlap: 'drop'`. */
  | 'overlap'
  /** Inconsistent fragments: a non-last fragment not a multiple of 8 bytes, two different ends, data past the end. */
  | 'bad-fragment'
  /** A fragment whose bytes the capture cut short (snaplen): it cannot be used. */
  | 'truncated';

export interface DefragOptions {
  /** Give up on a datagram this long (packet time, ms) after its first fragment. Default 30000 (Linux's ipfrag_time). */
  timeoutMs?: number;
  /** Largest reassembled datagram, IP header included, in bytes. Default 65535 (IP's own limit). */
  maxDatagramBytes?: number;
  /** Bytes held for all incomplete datagrams together. Default 4 MiB (Linux's ipfrag_high_thresh). */
  maxBytes?: number;
  /** Incomplete datagrams held at once. Default 4096. */
  maxDatagrams?: number;
  /** 'first' (default): earlier bytes win, later fragments fill holes only. 'drop': an overlap discards the datagram. */
  overlap?: 'first' | 'drop';
}

export interface DefragStats {
  /** Fragments handed to the defragmenter. */
  fragments: number;
  /** Datagrams rebuilt. */
  reassembled: number;
  /** Bytes of fragments that fell on bytes already held (kept: the first). */
  overlapBytes: number;
  /** Fragments that repeated one already held exactly. */
  duplicates: number;
  /** Datagrams (or unusable fragments) dropped, by reason. */
  dropped: Record<DefragDropReason, number>;
  /** Incomplete datagrams held now, and their bytes. */
  pending: number;
  pendingBytes: number;
}

export interface DefragDrop {
  reason: DefragDropReason;
  version: 4 | 6;
  src: string;
  dst: string;
  id: number;
  /** Fragments of the datagram that had arrived. */
  fragments: number;
}

/** Per-datagram bookkeeping besides the bytes, counted against maxBytes. */
const OVERHEAD = 64;
const INF = 0x7fffffff;

interface Piece { off: number; bytes: Uint8Array }

class Pending {
  /** Hole descriptors as [first, last] pairs, inclusive (RFC 815). */
  holes: number[] = [0, INF];
  pieces: Piece[] = [];
  /** Payload length, known once the last fragment (MF clear) arrived; -1 before. */
  end = -1;
  /** Highest payload byte held + 1. */
  high = 0;
  /** The first fragment's headers (offset 0), the base of the rebuilt datagram. */
  header: Uint8Array | null = null;
  bytes = OVERHEAD;
  fragments = 0;
  constructor(readonly key: string, readonly firstMs: number, readonly version: 4 | 6,
    readonly src: string, readonly dst: string, readonly id: number) {}
}

/** One fragment as the defragmenter needs it (built by {@link IpDefragmenter.ipv4} / {@link IpDefragmenter.ipv6}). */
interface Fragment {
  key: string;
  version: 4 | 6;
  src: string;
  dst: string;
  id: number;
  /** Offset of the fragment's data in the datagram's payload, in bytes. */
  offset: number;
  more: boolean;
  data: Uint8Array;
  /** For offset 0: the headers to rebuild on, and where its next-header byte is. */
  header: Uint8Array | null;
}

const nonNegative = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new PcapError(`defrag: ${name} must be a finite number >= 0, got ${String(v)}`, 'EINVAL');
  }
  return v;
};

export class IpDefragmenter {
  readonly timeoutMs: number;
  readonly maxDatagramBytes: number;
  readonly maxBytes: number;
  readonly maxDatagrams: number;
  readonly overlap: 'first' | 'drop';
  /** Called for every datagram given up (also counted in stats().dropped). */
  onDrop: ((drop: DefragDrop) => void) | null = null;

  /** Insertion order is first-fragment order: the oldest is first (expiry and eviction walk from there). */
  readonly #pending = new Map<string, Pending>();
  #bytes = 0;
  #fragments = 0;
  #reassembled = 0;
  #overlapBytes = 0;
  #duplicates = 0;
  readonly #dropped: Record<DefragDropReason, number> = {
    timeout: 0, memory: 0, 'too-big': 0, overlap: 0, 'bad-fragment': 0, truncated: 0,
  };

  constructor(options: DefragOptions = {}) {
    if (options === null || typeof options !== 'object') throw new PcapError('defrag: options must be an object', 'EINVAL');
    this.timeoutMs = nonNegative(options.timeoutMs, 'timeoutMs', 30_000);
    this.maxDatagramBytes = Math.min(65535, nonNegative(options.maxDatagramBytes, 'maxDatagramBytes', 65535));
    this.maxBytes = nonNegative(options.maxBytes, 'maxBytes', 4 << 20);
    this.maxDatagrams = nonNegative(options.maxDatagrams, 'maxDatagrams', 4096);
    const ov = options.overlap ?? 'first';
    if (ov !== 'first' && ov !== 'drop') throw new PcapError(`defrag: overlap must be 'first' or 'drop', got ${String(ov)}`, 'EINVAL');
    this.overlap = ov;
  }

  /** True if this IPv4 header is a fragment (MF set or a non-zero offset). */
  static isIpv4Fragment(ip: Ipv4Layer): boolean {
    return (ip.flags & 1) !== 0 || ip.fragmentOffset !== 0;
  }

  /** The fragment header of an IPv6 packet, if it has one. */
  static ipv6FragmentHeader(ip: Ipv6Layer): Ipv6Extension | undefined {
    for (const e of ip.extensions) if (e.type === 44) return e;
    return undefined;
  }

  /**
   * Add an IPv4 fragment whose header starts at `ip.offset` in `data`.
   * Returns the whole datagram (a new buffer: IP header with MF and offset
   * cleared, total length and checksum rewritten) once the last missing
   * piece arrives, else null. `scope` separates identical addresses seen on
   * different links (e.g. the VLAN id).
   */
  ipv4(data: Uint8Array, ip: Ipv4Layer, timeMs: number, scope = 0): Uint8Array | null {
    const start = ip.offset + ip.length;
    const declaredEnd = ip.offset + ip.totalLength;
    const key = `4|${scope}|${ip.srcAddr}|${ip.dstAddr}|${ip.protocol}|${ip.id}`;
    const frag: Fragment = {
      key, version: 4, src: ip.src, dst: ip.dst, id: ip.id, offset: ip.fragmentOffset * 8, more: (ip.flags & 1) !== 0,
      data: data.subarray(start, declaredEnd), header: ip.fragmentOffset === 0 ? data.subarray(ip.offset, start) : null,
    };
    return this.#add(frag, timeMs, declaredEnd > data.length || ip.totalLength < ip.length);
  }

  /**
   * Add an IPv6 fragment (a packet with a fragment header `fh`). Returns the
   * whole datagram (the first fragment's unfragmentable headers with the
   * fragment header removed, payload length rewritten) or null.
   */
  ipv6(data: Uint8Array, ip: Ipv6Layer, fh: Ipv6Extension, timeMs: number, scope = 0): Uint8Array | null {
    const start = fh.offset + fh.length;
    const declaredEnd = ip.offset + 40 + ip.payloadLength;
    const key = `6|${scope}|${ip.src}|${ip.dst}|${fh.id}`;
    let header: Uint8Array | null = null;
    if (fh.fragmentOffset === 0) {
      // Unfragmentable part: the fixed header and the extensions before the fragment header.
      const h = Uint8Array.prototype.slice.call(data, ip.offset, fh.offset) as Uint8Array;
      let nhAt = 6;
      for (const e of ip.extensions) {
        if (e === fh) break;
        nhAt = e.offset - ip.offset;
      }
      h[nhAt] = fh.nextHeader ?? 59;
      header = h;
    }
    const frag: Fragment = {
      key, version: 6, src: ip.src, dst: ip.dst, id: fh.id ?? 0, offset: (fh.fragmentOffset ?? 0) * 8, more: fh.moreFragments === true,
      data: data.subarray(start, declaredEnd), header,
    };
    return this.#add(frag, timeMs, declaredEnd > data.length || ip.payloadLength === 0);
  }

  /** Drop every datagram whose time is up at packet time `nowMs`. Called by ipv4/ipv6 too. */
  expire(nowMs: number): void {
    for (const p of this.#pending.values()) {
      if (p.firstMs + this.timeoutMs > nowMs) break;
      this.#drop(p, 'timeout');
    }
  }

  /** Drop everything held (end of input); counted as timeouts. */
  clear(): void {
    for (const p of this.#pending.values()) this.#drop(p, 'timeout');
  }

  stats(): DefragStats {
    return {
      fragments: this.#fragments, reassembled: this.#reassembled, overlapBytes: this.#overlapBytes,
      duplicates: this.#duplicates, dropped: { ...this.#dropped }, pending: this.#pending.size, pendingBytes: this.#bytes,
    };
  }

  #add(f: Fragment, timeMs: number, cut: boolean): Uint8Array | null {
    this.#fragments++;
    this.expire(timeMs);
    let p = this.#pending.get(f.key);
    const lone = (reason: DefragDropReason): null => {
      if (p) this.#drop(p, reason);
      else this.#count({ reason, version: f.version, src: f.src, dst: f.dst, id: f.id, fragments: 1 });
      return null;
    };
    if (cut) return lone('truncated');
    const len = f.data.length;
    if (f.more && len % 8 !== 0) return lone('bad-fragment');
    if (f.more && len === 0) return lone('bad-fragment');
    const headerLen = f.header?.length ?? (f.version === 4 ? 20 : 40);
    if (headerLen + f.offset + len > this.maxDatagramBytes) return lone('too-big');
    if (!p) {
      p = new Pending(f.key, timeMs, f.version, f.src, f.dst, f.id);
      this.#pending.set(f.key, p);
      this.#bytes += p.bytes;
    }
    p.fragments++;
    const first = f.offset;
    const last = f.offset + len - 1;
    // The end is fixed by the last fragment; nothing may lie past it, and it may not move.
    if (!f.more) {
      if ((p.end >= 0 && p.end !== first + len) || p.high > first + len) return lone('bad-fragment');
      p.end = first + len;
    } else if (p.end >= 0 && last >= p.end) {
      return lone('bad-fragment');
    }
    if (f.header !== null && p.header === null) {
      p.header = Uint8Array.prototype.slice.call(f.header) as Uint8Array;
      this.#grow(p, p.header.length);
    }
    const filled = this.#fill(p, f, first, last);
    if (filled < len) {
      if (filled === 0 && p.pieces.some((x) => x.off === first && x.bytes.length === len)) this.#duplicates++;
      else if (this.overlap === 'drop') return lone('overlap');
      this.#overlapBytes += len - filled;
    }
    if (p.holes.length === 0 && p.header !== null) return this.#finish(p);
    this.#evict(p);
    return null;
  }

  /** RFC 815's steps 1-8 for one fragment: bytes copied into holes only (first wins). Returns bytes taken. */
  #fill(p: Pending, f: Fragment, first: number, last: number): number {
    const holes = p.holes;
    const next: number[] = [];
    let taken = 0;
    for (let i = 0; i < holes.length; i += 2) {
      const hf = holes[i];
      const hl = holes[i + 1];
      if (first > hl || last < hf) { next.push(hf, hl); continue; }
      if (first > hf) next.push(hf, first - 1);
      if (last < hl) next.push(last + 1, hl);
      const from = Math.max(first, hf);
      const to = Math.min(last, hl);
      if (to < from) continue;
      const bytes = Uint8Array.prototype.slice.call(f.data, from - first, to - first + 1) as Uint8Array;
      p.pieces.push({ off: from, bytes });
      taken += bytes.length;
      this.#grow(p, bytes.length);
    }
    // RFC 815 step 6: once the last fragment fixed the end, no hole reaches past it.
    if (p.end >= 0) {
      p.holes = [];
      for (let i = 0; i < next.length; i += 2) {
        const hl = Math.min(next[i + 1], p.end - 1);
        if (next[i] <= hl) p.holes.push(next[i], hl);
      }
    } else {
      p.holes = next;
    }
    if (last + 1 > p.high) p.high = last + 1;
    return taken;
  }

  #finish(p: Pending): Uint8Array {
    const h = p.header!;
    const out = new Uint8Array(h.length + p.end);
    out.set(h, 0);
    for (const piece of p.pieces) out.set(piece.bytes, h.length + piece.off);
    if (p.version === 4) {
      const total = out.length;
      out[2] = total >>> 8; out[3] = total & 255;
      out[6] &= 0x40; out[7] = 0; // keep DF; MF and the offset go
      out[10] = 0; out[11] = 0;
      const sum = internetChecksum(out.subarray(0, h.length));
      out[10] = sum >>> 8; out[11] = sum & 255;
    } else {
      const plen = out.length - 40;
      out[4] = plen >>> 8; out[5] = plen & 255;
    }
    this.#remove(p);
    this.#reassembled++;
    return out;
  }

  #grow(p: Pending, n: number): void {
    p.bytes += n;
    this.#bytes += n;
  }

  /** Over a bound: drop the oldest datagrams (never `keep`, the one just added to, unless it alone is over). */
  #evict(keep: Pending): void {
    for (const p of this.#pending.values()) {
      if (this.#bytes <= this.maxBytes && this.#pending.size <= this.maxDatagrams) return;
      if (p === keep && this.#pending.size > 1) continue;
      this.#drop(p, 'memory');
    }
  }

  #remove(p: Pending): void {
    this.#pending.delete(p.key);
    this.#bytes -= p.bytes;
  }

  #drop(p: Pending, reason: DefragDropReason): void {
    this.#remove(p);
    this.#count({ reason, version: p.version, src: p.src, dst: p.dst, id: p.id, fragments: p.fragments });
  }

  #count(drop: DefragDrop): void {
    this.#dropped[drop.reason]++;
    this.onDrop?.(drop);
  }
}
