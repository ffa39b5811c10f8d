/**
 * Reader for libpcap's classic format: a 24-byte file header, then records
 * of a 16-byte header (ts_sec, ts_usec|ts_nsec, caplen, len) and caplen bytes.
 *
 * Follows libpcap 1.10's sf-pcap.c: versions 2.0–2.4 and 543.0 (DG/UX);
 * caplen and len swapped in versions before 2.3 (and in 2.3 when caplen >
 * len); a caplen over 256 KiB is an error; a caplen over the snaplen but
 * within 256 KiB is read whole and delivered cut to the snaplen; caplen >
 * len is allowed. Timestamps are read unsigned (good until 2106; libpcap
 * reads ts_sec signed), and a fraction of 1 s or more is carried into the
 * seconds (libpcap passes it through).
 */
import { rd16, rd32 } from './bytes';
import { badFile, truncated } from './errors';
import {
  LINKTYPE_MASK, MAX_RECORD, PCAP_FILE_HEADER_LEN, PCAP_KUZNETZOV_RECORD_HEADER_LEN,
  PCAP_MAGIC_KUZNETZOV, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_RECORD_HEADER_LEN,
} from './format';
import type { InterfaceInfo, RecordSink, SavefileParser } from './types';

const enum Lengths { Normal, Swapped, MaybeSwapped }

/** libpcap's pcap_adjust_snapshot: 0 or > INT_MAX means "the maximum". */
export function adjustSnaplen(snaplen: number): number {
  return snaplen === 0 || snaplen > 0x7fffffff ? MAX_RECORD : snaplen;
}

/** Whether these 4 bytes are a pcap magic in either byte order; 'le'/'be' or null. */
export function pcapByteOrder(buf: Uint8Array, p: number): 'le' | 'be' | null {
  if (isPcapMagic(rd32(buf, p, true))) return 'le';
  if (isPcapMagic(rd32(buf, p, false))) return 'be';
  return null;
}

function isPcapMagic(m: number): boolean {
  return m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC || m === PCAP_MAGIC_KUZNETZOV;
}

export class PcapParser implements SavefileParser {
  readonly format = 'pcap' as const;
  readonly linktype: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  readonly interfaces: readonly InterfaceInfo[];
  readonly comments: readonly string[] = [];
  /** The upper 6 bits of the header's link-type field (LT_LINKTYPE_EXT). */
  readonly linktypeExt: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  needed = 0;

  private readonly le: boolean;
  private readonly hdrLen: number;
  private readonly tsMul: number;
  private readonly lengths: Lengths;

  /**
   * Read the file header at buf[start, start + 24), whose magic the caller
   * has recognised with pcapByteOrder(). Throws EBADFILE on a bad version.
   */
  constructor(buf: Uint8Array, start: number) {
    const le = pcapByteOrder(buf, start) === 'le';
    const magic = rd32(buf, start, le);
    const major = rd16(buf, start + 4, le);
    const minor = rd16(buf, start + 6, le);
    if (major < 2) throw badFile(4, `archaic pcap savefile format ${major}.${minor}`);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
      throw badFile(4, `unsupported pcap savefile version ${major}.${minor}`);
    }
    const rawSnap = rd32(buf, start + 16, le);
    const rawLink = rd32(buf, start + 20, le);
    this.le = le;
    this.versionMajor = major;
    this.versionMinor = minor;
    this.nanosecond = magic === PCAP_MAGIC_NSEC;
    this.tsMul = this.nanosecond ? 1 : 1000;
    this.hdrLen = magic === PCAP_MAGIC_KUZNETZOV
      ? PCAP_KUZNETZOV_RECORD_HEADER_LEN : PCAP_RECORD_HEADER_LEN;
    this.linktype = (rawLink & LINKTYPE_MASK) >>> 0;
    this.linktypeExt = (rawLink & ~LINKTYPE_MASK) >>> 0;
    // Kuznetzov's cooked captures prepend a fake 14-byte Ethernet header.
    let snap = adjustSnaplen(rawSnap);
    if (magic === PCAP_MAGIC_KUZNETZOV && this.linktype === 1) snap = Math.min(snap + 14, 0x7fffffff);
    this.snaplen = snap;
    this.lengths = major === 543 || (major === 2 && minor < 3) ? Lengths.Swapped
      : major === 2 && minor === 3 ? Lengths.MaybeSwapped : Lengths.Normal;
    this.interfaces = [{
      linktype: this.linktype, snaplen: rawSnap, tsresol: this.nanosecond ? 1e9 : 1e6,
      tsresolBinary: false, tsoffset: 0, section: 0,
    }];
  }

  /** Bytes of the file header, consumed by openParser. */
  static readonly headerLength = PCAP_FILE_HEADER_LEN;

  /**
   * What a native record parser needs to take this file's plain records
   * (16-byte headers, lengths in their usual order), or null if this file
   * has the older or patched layouts only this parser knows.
   */
  get plainRecords(): { littleEndian: boolean; nanosecond: boolean; snaplen: number } | null {
    if (this.hdrLen !== PCAP_RECORD_HEADER_LEN || this.lengths === Lengths.Swapped) return null;
    return { littleEndian: this.le, nanosecond: this.nanosecond, snaplen: this.snaplen };
  }

  parse(buf: Uint8Array, start: number, end: number, fileOffset: number, sink: RecordSink): number {
    const le = this.le;
    const hdrLen = this.hdrLen;
    const snap = this.snaplen;
    const linktype = this.linktype;
    let p = start;
    this.needed = 0;
    while (p < end) {
      if (end - p < hdrLen) {
        this.needed = hdrLen;
        break;
      }
      let caplen = rd32(buf, p + 8, le);
      let len = rd32(buf, p + 12, le);
      if (this.lengths !== Lengths.Normal &&
          (this.lengths === Lengths.Swapped || caplen > len)) {
        const t = caplen; caplen = len; len = t;
      }
      if (caplen > MAX_RECORD) {
        throw badFile(fileOffset + (p - start),
          `packet record with caplen ${caplen}, over the maximum ${MAX_RECORD}` +
          (caplen > snap ? ` and the snaplen ${snap}` : ''));
      }
      const size = hdrLen + caplen;
      if (end - p < size) {
        this.needed = size;
        break;
      }
      let tsSec = rd32(buf, p, le);
      let tsNsec = rd32(buf, p + 4, le) * this.tsMul;
      if (tsNsec >= 1e9) {
        // A fraction of a second or more (only in corrupt files): carry it,
        // so that tsNsec always fits a uint32 slot descriptor.
        tsSec += Math.floor(tsNsec / 1e9);
        tsNsec %= 1e9;
      }
      if (!sink(p + hdrLen, caplen > snap ? snap : caplen, len, tsSec, tsNsec, linktype, 0)) break;
      p += size;
    }
    return p - start;
  }

  finish(leftover: number, fileOffset: number): void {
    if (leftover <= 0) return;
    const what = leftover < this.hdrLen
      ? `${leftover} bytes of a ${this.hdrLen}-byte packet record header`
      : `${leftover} bytes of a ${this.needed || '?'}-byte packet record`;
    throw truncated(fileOffset, what);
  }
}
