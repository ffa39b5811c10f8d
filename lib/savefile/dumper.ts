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
import {
  BT_EPB, BT_IDB, BT_SHB, BYTE_ORDER_MAGIC, IF_TSRESOL, MAX_RECORD, PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, SHB_USERAPPL,
} from './format';
import { toTicks } from './timestamp';

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
}

/** Per-packet header: the same shape live sessions hand out. */
export interface DumpHeader {
  tsSec: number;
  tsNsec: number;
  /** Bytes of `data` to write. Default data.length; cut to the snaplen (and 256 KiB). */
  caplen?: number;
  /** Length of the packet on the wire. */
  len: number;
}

const USERAPPL = 'netmap-pcap';

export class Dumper {
  readonly format: 'pcap' | 'pcapng';
  readonly nanosecond: boolean;
  readonly linktype: number;
  readonly snaplen: number;

  /** Longest packet written: the snaplen, and never over what readers accept. */
  private readonly maxCaplen: number;
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
    this.maxCaplen = Math.min(snaplen, MAX_RECORD);
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
    if (format === 'pcap') this.writePcapHeader();
    else this.writePcapngHeader();
  }

  /** Append one packet. Throws ECLOSED after close(). */
  dump(data: Uint8Array, header: DumpHeader): void {
    if (this.closed) throw new PcapError('dump() on a closed dumper: open a new one', 'ECLOSED');
    let caplen = header.caplen ?? data.length;
    check(Number.isInteger(caplen) && caplen >= 0 && caplen <= data.length,
      `caplen ${caplen} must be an integer between 0 and data.length (${data.length})`);
    if (caplen > this.maxCaplen) caplen = this.maxCaplen;
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
      check(sec <= 0xffffffff, `tsSec ${sec} does not fit a pcap file (after 2106): use pcapng`);
      const b = this.reserve(16 + caplen);
      this.u32(b, sec);
      this.u32(b + 4, this.nanosecond ? nsec : Math.floor(nsec / 1000));
      this.u32(b + 8, caplen);
      this.u32(b + 12, len);
      this.copyIn(b + 16, data, caplen);
    } else {
      const padded = (caplen + 3) & ~3;
      const total = 32 + padded;
      const b = this.reserve(total);
      toTicks(sec, nsec, this.nanosecond ? 1e9 : 1e6, this.ticks);
      this.u32(b, BT_EPB);
      this.u32(b + 4, total);
      this.u32(b + 8, 0); // interface 0
      this.u32(b + 12, this.ticks[0]);
      this.u32(b + 16, this.ticks[1]);
      this.u32(b + 20, caplen);
      this.u32(b + 24, len);
      this.copyIn(b + 28, data, caplen);
      this.chunk.fill(0, b + 28 + caplen, b + 28 + padded);
      this.u32(b + 28 + padded, total);
    }
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

  private writePcapngHeader(): void {
    // SHB: fixed part, shb_userappl, opt_endofopt.
    const appl = Buffer.from(USERAPPL, 'utf8');
    const applPadded = (appl.length + 3) & ~3;
    const shbLen = 8 + 16 + 4 + applPadded + 4 + 4;
    let b = this.reserve(shbLen);
    this.u32(b, BT_SHB);
    this.u32(b + 4, shbLen);
    this.u32(b + 8, BYTE_ORDER_MAGIC);
    this.chunk.writeUInt16LE(1, b + 12);
    this.chunk.writeUInt16LE(0, b + 14);
    this.u32(b + 16, 0xffffffff); // section length -1: not given
    this.u32(b + 20, 0xffffffff);
    this.chunk.writeUInt16LE(SHB_USERAPPL, b + 24);
    this.chunk.writeUInt16LE(appl.length, b + 26);
    this.chunk.fill(0, b + 28, b + 28 + applPadded);
    this.chunk.set(appl, b + 28);
    this.u32(b + 28 + applPadded, 0); // opt_endofopt
    this.u32(b + shbLen - 4, shbLen);
    // IDB: linktype, reserved, snaplen, [if_tsresol = 9], opt_endofopt.
    const idbLen = 8 + 8 + (this.nanosecond ? 8 : 0) + 4 + 4;
    b = this.reserve(idbLen);
    this.u32(b, BT_IDB);
    this.u32(b + 4, idbLen);
    this.chunk.writeUInt16LE(this.linktype, b + 8);
    this.chunk.writeUInt16LE(0, b + 10);
    this.u32(b + 12, this.snaplen);
    let o = b + 16;
    if (this.nanosecond) {
      this.chunk.writeUInt16LE(IF_TSRESOL, o);
      this.chunk.writeUInt16LE(1, o + 2);
      this.u32(o + 4, 9); // 10^-9 s, then 3 bytes of padding
      o += 8;
    }
    this.u32(o, 0); // opt_endofopt
    this.u32(b + idbLen - 4, idbLen);
  }
}
