/**
 * Writer of pcap and pcapng files, little endian (the byte order of every
 * host this project runs on, as libpcap's pcap_dump would write there).
 *
 * Records are packed into one chunk buffer (1 MiB by default) and each full
 * chunk costs one write. To a file path the writes are synchronous and
 * complete (fs.writeSync loops over short writes), so the chunk buffer is
 * reused; to a stream each full chunk is handed over whole and a new one
 * started, since the stream owns it until its write callback.
 */
import * as fs from 'node:fs';
import type { Writable } from 'node:stream';
import { PcapError, check } from '../errors';
import type { PacketDirection } from '../packet';
import {
  BT_EPB, MAX_RECORD, OPT_COMMENT, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR,
} from './format';
import {
  interfaceDescription, InterfaceDescription, interfaceStatistics, InterfaceStatistics, now, sectionHeader,
  sectionOs, SectionOptions,
} from './pcapng-blocks';
import { toTicks } from './timestamp';

export type { InterfaceDescription, InterfaceStatistics, SectionOptions } from './pcapng-blocks';

export interface DumperOptions {
  /** File format. Default 'pcap'. */
  format?: 'pcap' | 'pcapng';
  /** Nanosecond timestamps (pcap: the ns magic; pcapng: if_tsresol 9). Default false (µs). */
  nanosecond?: boolean;
  /** LINKTYPE_ value of every packet. Required. */
  linktype: number;
  /** Snapshot length written in the header; longer packets are cut to it. Default 262144. */
  snaplen?: number;
  /** Bytes batched per write. Default 1 MiB. */
  chunkSize?: number;
  /** pcapng: the Section Header Block's options (application, OS, hardware, comment). */
  section?: SectionOptions;
  /** pcapng: interface 0's name, description, filter, comment (its link type and snaplen are the ones above). */
  interface?: InterfaceDescription;
}

/** Per-packet header: the same shape live sessions hand out. */
export interface DumpHeader {
  tsSec: number;
  tsNsec: number;
  /** Bytes of `data` to write. Default data.length; cut to the snaplen (and 256 KiB). */
  caplen?: number;
  /** Length of the packet on the wire. */
  len: number;
  /** pcapng: the interface (0, or a number addInterface() returned). Default 0. */
  interface?: number;
  /** pcapng: written as epb_flags' direction ('in' inbound, 'out' outbound); absent: not known. */
  direction?: PacketDirection;
  /** pcapng: opt_comment on this packet. */
  comment?: string;
}

/** epb_flags bits 0-1: the direction the packet travelled. */
const EPB_FLAGS = 2;
const EPB_INBOUND = 1;
const EPB_OUTBOUND = 2;

/** One interface of a pcapng file, as dump() needs it. */
interface Port {
  /** Longest packet written: its snaplen, and never over what readers accept. */
  maxCaplen: number;
  /** When its IDB was written: the default isb_starttime. */
  opened: { tsSec: number; tsNsec: number };
}

export class Dumper {
  readonly format: 'pcap' | 'pcapng';
  readonly nanosecond: boolean;
  readonly linktype: number;
  readonly snaplen: number;

  /** Interfaces of the file: one for pcap, one per IDB for pcapng. */
  private readonly ports: Port[] = [];
  private readonly section: SectionOptions;
  private fd = -1;
  private readonly ownsFd: boolean;
  private readonly stream: Writable | null;
  private readonly chunkSize: number;
  private chunk: Buffer;
  private used = 0;
  /** Bytes handed to the file or stream so far (position() adds the chunk's). */
  private written = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** The last stream write still in flight, and the first error a stream reported. */
  private inflight: Promise<void> = Promise.resolve();
  private streamError: Error | null = null;
  private readonly ticks = new Uint32Array(2);

  /**
   * @param target a file path (created or truncated), '-' for standard
   *   output, or a Writable stream (not ended by close()).
   */
  constructor(target: string | Writable, options: DumperOptions) {
    check(options !== null && typeof options === 'object', 'Dumper options must be an object');
    const format = options.format ?? 'pcap';
    check(format === 'pcap' || format === 'pcapng', `format must be 'pcap' or 'pcapng', not ${String(format)}`);
    check(Number.isInteger(options.linktype) && options.linktype >= 0 &&
      options.linktype <= (format === 'pcapng' ? 0xffff : 0xffffffff),
    `linktype must be an integer LINKTYPE_ value, not ${String(options.linktype)}`);
    const snaplen = options.snaplen ?? MAX_RECORD;
    check(Number.isInteger(snaplen) && snaplen > 0 && snaplen <= 0x7fffffff,
      `snaplen must be a positive integer, not ${String(snaplen)}`);
    const chunkSize = options.chunkSize ?? 1 << 20;
    check(Number.isInteger(chunkSize) && chunkSize >= 4096, 'chunkSize must be an integer ≥ 4096');
    this.format = format;
    this.nanosecond = options.nanosecond === true;
    this.linktype = options.linktype;
    this.snaplen = snaplen;
    this.section = options.section ?? {};
    check(format === 'pcapng' || (options.section === undefined && options.interface === undefined),
      "section and interface options describe pcapng blocks: use format 'pcapng'");
    this.chunkSize = chunkSize;
    this.chunk = Buffer.allocUnsafe(chunkSize);

    if (typeof target === 'string' && target !== '-') {
      try {
        this.fd = fs.openSync(target, 'w');
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new PcapError(`cannot create ${target}: ${err.message}`,
          err.code === 'EACCES' || err.code === 'EPERM' ? 'EPERM' : 'EIO');
      }
      this.ownsFd = true;
      this.stream = null;
    } else {
      const stream = target === '-' ? process.stdout : target;
      check(stream !== null && typeof stream === 'object' && typeof (stream as Writable).write === 'function',
        'target must be a path, "-" or a Writable stream');
      this.stream = stream as Writable;
      this.ownsFd = false;
      this.stream.on('error', this.onStreamError);
    }
    if (format === 'pcap') {
      this.writePcapHeader();
      this.ports.push({ maxCaplen: Math.min(snaplen, MAX_RECORD), opened: now() });
    } else {
      this.put(sectionHeader(this.section));
      this.addInterface(options.interface ?? {});
    }
  }

  /**
   * pcapng: describe one more capture port (an Interface Description
   * Block, written now) and return its number for `dump(…, { interface })`
   * and `writeStatistics()`. Ports may differ in link type and snaplen.
   * Throws ENOTSUP on a pcap file, which has a single interface.
   */
  addInterface(description: InterfaceDescription = {}): number {
    if (this.closed) throw new PcapError('addInterface() on a closed dumper: open a new one', 'ECLOSED');
    if (this.format !== 'pcapng') {
      throw new PcapError("a pcap file has one interface: open the dumper with { format: 'pcapng' } for more", 'ENOTSUP');
    }
    check(description !== null && typeof description === 'object', 'interface description must be an object');
    const linktype = description.linktype ?? this.linktype;
    const snaplen = description.snaplen ?? this.snaplen;
    check(Number.isInteger(linktype) && linktype >= 0 && linktype <= 0xffff,
      `linktype must be an integer LINKTYPE_ value from 0 to 65535, not ${String(linktype)}`);
    check(Number.isInteger(snaplen) && snaplen > 0 && snaplen <= 0x7fffffff,
      `snaplen must be a positive integer, not ${String(snaplen)}`);
    this.put(interfaceDescription(linktype, snaplen, this.nanosecond, description, sectionOs(this.section)));
    this.ports.push({ maxCaplen: Math.min(snaplen, MAX_RECORD), opened: now() });
    return this.ports.length - 1;
  }

  /** Interfaces in the file (1 for pcap). */
  get interfaceCount(): number {
    return this.ports.length;
  }

  /**
   * pcapng: write an Interface Statistics Block for interface `index`
   * (counters since its capture started: received, dropped, …), as
   * dumpcap writes one per interface when it closes a file. Call it
   * before close(). Throws ENOTSUP on a pcap file.
   */
  writeStatistics(index: number, stats: InterfaceStatistics): void {
    if (this.closed) throw new PcapError('writeStatistics() on a closed dumper: call it before close()', 'ECLOSED');
    if (this.format !== 'pcapng') {
      throw new PcapError("statistics need a pcapng file: open the dumper with { format: 'pcapng' }", 'ENOTSUP');
    }
    check(Number.isInteger(index) && index >= 0 && index < this.ports.length,
      `interface ${String(index)} is not in this file (it has ${this.ports.length})`);
    this.put(interfaceStatistics(index, this.nanosecond, stats, this.ports[index].opened));
  }

  /** Append one packet. Throws ECLOSED after close(). */
  dump(data: Uint8Array, header: DumpHeader): void {
    if (this.closed) throw new PcapError('dump() on a closed dumper: open a new one', 'ECLOSED');
    const iface = header.interface ?? 0;
    if (iface !== 0) {
      check(Number.isInteger(iface) && iface >= 0 && iface < this.ports.length,
        this.format === 'pcap' ? `interface ${String(iface)}: a pcap file has only interface 0; use format 'pcapng'`
          : `interface ${String(iface)} is not in this file (it has ${this.ports.length}): addInterface() first`);
    }
    let caplen = header.caplen ?? data.length;
    check(Number.isInteger(caplen) && caplen >= 0 && caplen <= data.length,
      `caplen ${caplen} must be an integer between 0 and data.length (${data.length})`);
    const maxCaplen = this.ports[iface].maxCaplen;
    if (caplen > maxCaplen) caplen = maxCaplen;
    const len = header.len;
    check(Number.isInteger(len) && len >= 0 && len <= 0xffffffff, `len must be a uint32, not ${len}`);
    let sec = header.tsSec;
    let nsec = header.tsNsec;
    check(Number.isInteger(sec) && Number.isInteger(nsec) && sec >= 0 && nsec >= 0,
      'tsSec and tsNsec must be non-negative integers');
    if (nsec >= 1e9) {
      sec += Math.floor(nsec / 1e9);
      nsec %= 1e9;
    }
    if (this.format === 'pcap') {
      if (header.comment !== undefined) {
        throw new PcapError("packet comments need a pcapng file: open the dumper with { format: 'pcapng' }", 'EINVAL');
      }
      check(sec <= 0xffffffff, `tsSec ${sec} does not fit a pcap file (after 2106): use pcapng`);
      const b = this.reserve(16 + caplen);
      this.u32(b, sec);
      this.u32(b + 4, this.nanosecond ? nsec : Math.floor(nsec / 1000));
      this.u32(b + 8, caplen);
      this.u32(b + 12, len);
      this.copyIn(b + 16, data, caplen);
    } else {
      this.writeEpb(data, caplen, len, sec, nsec, iface, header.direction, header.comment);
    }
  }

  /** An Enhanced Packet Block, its options (epb_flags, opt_comment) only when there is something to say. */
  private writeEpb(data: Uint8Array, caplen: number, len: number, sec: number, nsec: number, iface: number,
    direction: PacketDirection | undefined, comment: string | undefined): void {
    let flags = 0;
    if (direction !== undefined) {
      check(direction === 'in' || direction === 'out', `direction must be 'in' or 'out', not ${String(direction)}`);
      flags = direction === 'in' ? EPB_INBOUND : EPB_OUTBOUND;
    }
    let commentLen = 0;
    if (comment !== undefined) {
      check(typeof comment === 'string', 'comment must be a string');
      commentLen = Buffer.byteLength(comment, 'utf8');
      check(commentLen <= 0xffff, `comment is ${commentLen} bytes; a pcapng option holds at most 65535`);
    }
    const padded = (caplen + 3) & ~3;
    const commentPadded = (commentLen + 3) & ~3;
    const optLen = flags === 0 && comment === undefined ? 0
      : (flags !== 0 ? 8 : 0) + (comment !== undefined ? 4 + commentPadded : 0) + 4;
    const total = 32 + padded + optLen;
    const b = this.reserve(total);
    toTicks(sec, nsec, this.nanosecond ? 1e9 : 1e6, this.ticks);
    this.u32(b, BT_EPB);
    this.u32(b + 4, total);
    this.u32(b + 8, iface);
    this.u32(b + 12, this.ticks[0]);
    this.u32(b + 16, this.ticks[1]);
    this.u32(b + 20, caplen);
    this.u32(b + 24, len);
    this.copyIn(b + 28, data, caplen);
    this.chunk.fill(0, b + 28 + caplen, b + 28 + padded);
    let o = b + 28 + padded;
    if (optLen > 0) {
      if (comment !== undefined) {
        this.chunk.writeUInt16LE(OPT_COMMENT, o);
        this.chunk.writeUInt16LE(commentLen, o + 2);
        this.chunk.write(comment, o + 4, commentLen, 'utf8');
        this.chunk.fill(0, o + 4 + commentLen, o + 4 + commentPadded);
        o += 4 + commentPadded;
      }
      if (flags !== 0) {
        this.chunk.writeUInt16LE(EPB_FLAGS, o);
        this.chunk.writeUInt16LE(4, o + 2);
        this.u32(o + 4, flags);
        o += 8;
      }
      this.u32(o, 0); // opt_endofopt
      o += 4;
    }
    this.u32(o, total);
  }

  /**
   * Write everything dumped so far. Files: synchronous, complete on return.
   * Streams: resolves after the stream's write callback. Throws (rejects
   * with) EIO if a write failed.
   */
  flush(): Promise<void> {
    try {
      this.flushChunk();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.stream ? this.inflight.then(() => this.throwStreamError()) : Promise.resolve();
  }

  /** Synchronous flush, for file targets only (e.g. in a SIGINT handler). */
  flushSync(): void {
    if (this.stream) throw new PcapError('flushSync() needs a file target: use flush() for streams', 'ENOTSUP');
    this.flushChunk();
  }

  /** Flush and close the file (streams are flushed, not ended). Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const done = this.flush();
    this.closed = true;
    this.closing = done.finally(() => {
      if (this.ownsFd && this.fd >= 0) {
        fs.closeSync(this.fd);
        this.fd = -1;
      }
      if (this.stream) this.stream.off('error', this.onStreamError);
    });
    return this.closing;
  }

  /**
   * Bytes of the file so far, buffered ones included: libpcap's
   * pcap_dump_ftell, which tcpdump's -C rotation reads.
   */
  get position(): number {
    return this.written + this.used;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // --- internals -------------------------------------------------------------

  private readonly onStreamError = (e: Error): void => {
    this.streamError ??= e;
  };

  private throwStreamError(): void {
    if (this.streamError) throw new PcapError(`writing the capture failed: ${this.streamError.message}`, 'EIO');
  }

  /** Room for `n` bytes in the chunk; returns their offset. */
  private reserve(n: number): number {
    if (this.used + n > this.chunk.length) {
      this.flushChunk();
      // A record bigger than a chunk gets a chunk of its own size.
      if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n);
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  private u32(at: number, v: number): void {
    this.chunk.writeUInt32LE(v >>> 0, at);
  }

  private copyIn(at: number, data: Uint8Array, n: number): void {
    this.chunk.set(n === data.length ? data : data.subarray(0, n), at);
  }

  private flushChunk(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.written += n;
    if (this.stream) {
      this.throwStreamError();
      const out = this.chunk.subarray(0, n);
      // The stream owns `out` until its callback: start a fresh chunk.
      this.chunk = Buffer.allocUnsafe(this.chunkSize);
      const prev = this.inflight;
      const mine = new Promise<void>((resolve) => {
        this.stream!.write(out, (err) => {
          if (err) this.onStreamError(err);
          resolve();
        });
      });
      this.inflight = Promise.all([prev, mine]).then(() => undefined);
      return;
    }
    let off = 0;
    try {
      while (off < n) off += fs.writeSync(this.fd, this.chunk, off, n - off);
    } catch (e) {
      throw new PcapError(`writing the capture failed: ${(e as Error).message}`, 'EIO');
    }
  }

  private writePcapHeader(): void {
    const b = this.reserve(24);
    this.u32(b, this.nanosecond ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
    this.chunk.writeUInt16LE(PCAP_VERSION_MAJOR, b + 4);
    this.chunk.writeUInt16LE(PCAP_VERSION_MINOR, b + 6);
    this.u32(b + 8, 0); // thiszone
    this.u32(b + 12, 0); // sigfigs
    this.u32(b + 16, this.snaplen);
    this.u32(b + 20, this.linktype);
  }

  /** Append a whole block built elsewhere (the pcapng header blocks). */
  private put(bytes: Buffer): void {
    const b = this.reserve(bytes.length);
    this.chunk.set(bytes, b);
  }
}
