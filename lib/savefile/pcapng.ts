/**
 * Reader for pcapng: a sequence of blocks (type, total length, body, total
 * length again), grouped into sections that each start with a Section Header
 * Block giving the byte order and list their own interfaces (IDBs).
 *
 * Checks follow libpcap 1.10's sf-pcapng.c: block length ≥ 12, a multiple of
 * 4, ≤ 16 MiB, trailer equal to header; SHB ≤ 1 MiB, version 1.0 or 1.2 for
 * the first section and major version 1 after; IDB options checked strictly
 * (if_tsresol, if_tsoffset); a packet on an interface without an IDB, or
 * with a caplen over the interface's snaplen or 256 KiB, is an error.
 * More lenient than libpcap, as Wireshark is: interfaces may have different
 * link types and snaplens, sections may change byte order. A Simple Packet
 * Block's caplen is min(len, snaplen), and a block too small for it is an
 * error (libpcap and Wireshark agree).
 */
import { rd16, rd32, rd64s } from './bytes';
import { badFile, truncated } from './errors';
import {
  BT_EPB, BT_IDB, BT_ISB, BT_PB, BT_SHB, BT_SPB, BYTE_ORDER_MAGIC, EPB_FIXED_LEN,
  IDB_FIXED_LEN, IF_NAME, IF_TSOFFSET, IF_TSRESOL, MAX_BLOCK, MAX_COMMENTS, MAX_RECORD,
  MAX_SHB, MIN_BLOCK_LEN, OPT_COMMENT, OPT_ENDOFOPT, PB_FIXED_LEN, PCAPNG_VERSION_MAJOR,
  SHB_FIXED_LEN, SPB_FIXED_LEN,
} from './format';
import { adjustSnaplen } from './pcap';
import { TickConverter } from './timestamp';
import type { InterfaceInfo, RecordSink, SavefileParser } from './types';

/** Interfaces kept per parser, so a hostile file cannot grow memory without bound. */
export const MAX_INTERFACES = 65536;

const utf8 = new TextDecoder('utf-8');

/**
 * The byte order of the SHB at buf[p] (needs 12 bytes): true = little
 * endian. Throws EBADFILE if the byte-order magic is neither.
 */
function shbByteOrder(buf: Uint8Array, p: number, fileOffset: number): boolean {
  if (rd32(buf, p + 8, true) === BYTE_ORDER_MAGIC) return true;
  if (rd32(buf, p + 8, false) === BYTE_ORDER_MAGIC) return false;
  throw badFile(fileOffset + 8, 'Section Header Block with a bad byte-order magic');
}

export class PcapngParser implements SavefileParser {
  readonly format = 'pcapng' as const;
  readonly interfaces: InterfaceInfo[] = [];
  readonly comments: string[] = [];
  needed = 0;

  /** Parallel to `interfaces`: timestamp converter, libpcap-adjusted snaplen, link type. */
  private readonly clocks: TickConverter[] = [];
  private readonly snaps: number[] = [];
  private readonly linktypes: number[] = [];
  private le = true;
  /** Index in `interfaces` of the current section's first interface. */
  private base = 0;
  /** Bumped when a section starts or an interface is added: what the
   * native walk (native.ts) was told about the section is then stale. */
  layoutVersion = 0;
  private section = -1;

  get linktype(): number {
    return this.interfaces.length > 0 ? this.interfaces[0].linktype : -1;
  }

  get snaplen(): number {
    return this.snaps.length > 0 ? this.snaps[0] : MAX_RECORD;
  }

  get nanosecond(): boolean {
    return this.interfaces.length > 0 && this.interfaces[0].tsresol >= 1e9;
  }

  parse(buf: Uint8Array, start: number, end: number, fileOffset: number, sink: RecordSink): number {
    let p = start;
    this.needed = 0;
    while (p < end) {
      const avail = end - p;
      if (avail < MIN_BLOCK_LEN) {
        this.needed = MIN_BLOCK_LEN;
        break;
      }
      const at = fileOffset + (p - start);
      const type = rd32(buf, p, this.le);
      // A new section may switch byte order: its SHB says which.
      const le = type === BT_SHB ? shbByteOrder(buf, p, at) : this.le;
      const len = rd32(buf, p + 4, le);
      if (len < MIN_BLOCK_LEN) throw badFile(at, `block of type ${type} with length ${len} < 12`);
      if (len % 4 !== 0) throw badFile(at, `block of type ${type} with length ${len}, not a multiple of 4`);
      if (len > MAX_BLOCK) throw badFile(at, `block of type ${type} with length ${len} > maximum ${MAX_BLOCK}`);
      if (type === BT_SHB && len > MAX_SHB) {
        throw badFile(at, `Section Header Block with length ${len} > maximum ${MAX_SHB}`);
      }
      if (avail < len) {
        this.needed = len;
        break;
      }
      const trailer = rd32(buf, p + len - 4, le);
      if (trailer !== len) {
        throw badFile(at, `block of type ${type} with length ${len} in its header and ${trailer} in its trailer`);
      }
      if (type === BT_EPB) {
        // The hot path, kept small: every check inline, no allocation.
        const body = p + 8;
        if (len < 12 + EPB_FIXED_LEN) throw badFile(at, `packet block too short (${len} bytes)`);
        const idx = rd32(buf, body, le);
        if (idx >= this.interfaces.length - this.base) this.iface(idx, at);
        const iface = this.base + idx;
        const caplen = rd32(buf, body + 12, le);
        if (caplen > this.snaps[iface] || caplen > MAX_RECORD || caplen > len - 12 - EPB_FIXED_LEN) {
          this.checkCaplen(iface, caplen, len - 12 - EPB_FIXED_LEN, at);
        }
        const clock = this.clocks[iface];
        clock.convert(rd32(buf, body + 4, le), rd32(buf, body + 8, le));
        if (!sink(body + EPB_FIXED_LEN, caplen, rd32(buf, body + 16, le), clock.sec, clock.nsec,
          this.linktypes[iface], iface)) break;
      } else if (!this.otherBlock(buf, p, len, type, le, at, sink)) {
        break;
      }
      p += len;
    }
    return p - start;
  }

  /** Every block but an EPB; false if the sink refused the packet. */
  private otherBlock(buf: Uint8Array, p: number, len: number, type: number, le: boolean, at: number,
    sink: RecordSink): boolean {
    const body = p + 8;
    const bodyEnd = p + len - 4;
    switch (type) {
      case BT_PB: {
        if (bodyEnd - body < PB_FIXED_LEN) throw badFile(at, `packet block too short (${len} bytes)`);
        const iface = this.iface(rd16(buf, body, le), at);
        const caplen = rd32(buf, body + 12, le);
        this.checkCaplen(iface, caplen, bodyEnd - body - PB_FIXED_LEN, at);
        const clock = this.clocks[iface];
        clock.convert(rd32(buf, body + 4, le), rd32(buf, body + 8, le));
        return sink(body + PB_FIXED_LEN, caplen, rd32(buf, body + 16, le), clock.sec, clock.nsec,
          this.linktypes[iface], iface);
      }
      case BT_SPB: {
        if (bodyEnd - body < SPB_FIXED_LEN) throw badFile(at, `Simple Packet Block too short (${len} bytes)`);
        const iface = this.iface(0, at);
        const plen = rd32(buf, body, le);
        // No caplen field: it is min(len, snaplen), and the block must hold it.
        const caplen = Math.min(plen, this.snaps[iface]);
        this.checkCaplen(iface, caplen, bodyEnd - body - SPB_FIXED_LEN, at);
        const clock = this.clocks[iface];
        clock.convert(0, 0);
        return sink(body + SPB_FIXED_LEN, caplen, plen, clock.sec, clock.nsec, this.linktypes[iface], iface);
      }
      case BT_IDB:
        this.addInterface(buf, body, bodyEnd, le, at);
        return true;
      case BT_SHB:
        this.startSection(buf, body, bodyEnd, le, at);
        return true;
      case BT_ISB:
        // interface id, timestamp high and low, then options
        if (bodyEnd - body >= 12) this.options(buf, body + 12, bodyEnd, le, at, false, null);
        return true;
      default:
        // NRB, DSB, custom and unknown blocks: skipped whole.
        return true;
    }
  }

  finish(leftover: number, fileOffset: number): void {
    if (leftover <= 0) return;
    const what = leftover < MIN_BLOCK_LEN || this.needed === 0
      ? `${leftover} bytes of a block header`
      : `${leftover} bytes of a ${this.needed}-byte block`;
    throw truncated(fileOffset, what);
  }

  /** Global index of the section's interface `idx`, or EBADFILE. */
  private iface(idx: number, at: number): number {
    if (idx >= this.interfaces.length - this.base) {
      throw badFile(at, `packet on interface ${idx}, which has no Interface Description Block in this section`);
    }
    return this.base + idx;
  }

  private checkCaplen(iface: number, caplen: number, room: number, at: number): void {
    const snap = this.snaps[iface];
    if (caplen > MAX_RECORD) throw badFile(at, `packet with caplen ${caplen}, over the maximum ${MAX_RECORD}`);
    if (caplen > snap) throw badFile(at, `packet with caplen ${caplen}, over the interface's snaplen ${snap}`);
    if (caplen > room) throw badFile(at, `packet with caplen ${caplen} in a block with room for ${room}`);
  }

  private startSection(buf: Uint8Array, body: number, bodyEnd: number, le: boolean, at: number): void {
    if (bodyEnd - body < SHB_FIXED_LEN) throw badFile(at, 'Section Header Block too short');
    const major = rd16(buf, body + 4, le);
    const minor = rd16(buf, body + 6, le);
    if (this.section < 0 ? !(major === 1 && (minor === 0 || minor === 2)) : major !== PCAPNG_VERSION_MAJOR) {
      throw badFile(at, `unsupported pcapng version ${major}.${minor}`);
    }
    this.le = le;
    this.section++;
    this.base = this.interfaces.length;
    this.layoutVersion++;
    // libpcap ignores SHB options, so a malformed one is not an error here either.
    this.options(buf, body + SHB_FIXED_LEN, bodyEnd, le, at, false, null);
  }

  private addInterface(buf: Uint8Array, body: number, bodyEnd: number, le: boolean, at: number): void {
    if (bodyEnd - body < IDB_FIXED_LEN) throw badFile(at, 'Interface Description Block too short');
    if (this.interfaces.length >= MAX_INTERFACES) throw badFile(at, `more than ${MAX_INTERFACES} interfaces`);
    const info: InterfaceInfo = {
      linktype: rd16(buf, body, le),
      snaplen: rd32(buf, body + 4, le),
      tsresol: 1e6,
      tsresolBinary: false,
      tsoffset: 0,
      section: this.section,
    };
    this.options(buf, body + IDB_FIXED_LEN, bodyEnd, le, at, true, info);
    this.interfaces.push(info);
    this.snaps.push(adjustSnaplen(info.snaplen));
    this.linktypes.push(info.linktype);
    this.clocks.push(new TickConverter(info.tsresol, info.tsresolBinary, info.tsoffset));
    this.layoutVersion++;
  }

  /** The current section as the native walk needs it: byte order, its
   * first interface's index, and each of its interfaces' adjusted snaplen. */
  get currentSection(): { littleEndian: boolean; base: number; snaps: readonly number[] } {
    return { littleEndian: this.le, base: this.base, snaps: this.snaps.slice(this.base) };
  }

  /**
   * Walk options in buf[p, end): collect comments, and for an IDB (`idb`
   * set) its name, if_tsresol and if_tsoffset. `strict` makes malformed
   * options EBADFILE, as libpcap does for IDBs; otherwise they end the walk.
   */
  private options(buf: Uint8Array, p: number, end: number, le: boolean, at: number,
    strict: boolean, idb: InterfaceInfo | null): void {
    let sawResol = false;
    let sawOffset = false;
    while (p < end) {
      if (end - p < 4) {
        if (strict) throw badFile(at, 'option header cut short');
        return;
      }
      const code = rd16(buf, p, le);
      const olen = rd16(buf, p + 2, le);
      const v = p + 4;
      const padded = (olen + 3) & ~3;
      if (end - v < padded) {
        if (strict) throw badFile(at, `option ${code} of length ${olen} cut short`);
        return;
      }
      p = v + padded;
      if (code === OPT_ENDOFOPT) {
        if (strict && olen !== 0) throw badFile(at, `opt_endofopt with length ${olen}`);
        return;
      }
      if (code === OPT_COMMENT) {
        if (this.comments.length < MAX_COMMENTS) this.comments.push(utf8.decode(buf.subarray(v, v + olen)));
        continue;
      }
      if (idb === null) continue;
      if (code === IF_NAME) {
        idb.name = utf8.decode(buf.subarray(v, v + olen));
      } else if (code === IF_TSRESOL) {
        if (olen !== 1) throw badFile(at, `if_tsresol with length ${olen}`);
        if (sawResol) throw badFile(at, 'more than one if_tsresol');
        sawResol = true;
        const r = buf[v];
        const exp = r & 0x7f;
        if (r & 0x80) {
          if (exp > 63) throw badFile(at, `if_tsresol 2^-${exp} too fine`);
          idb.tsresol = 2 ** exp;
          idb.tsresolBinary = true;
        } else {
          if (exp > 19) throw badFile(at, `if_tsresol 10^-${exp} too fine`);
          idb.tsresol = Number(`1e${exp}`); // exact for every exponent ≤ 22
        }
      } else if (code === IF_TSOFFSET) {
        if (olen !== 8) throw badFile(at, `if_tsoffset with length ${olen}`);
        if (sawOffset) throw badFile(at, 'more than one if_tsoffset');
        sawOffset = true;
        idb.tsoffset = rd64s(buf, v, le);
      }
    }
  }
}
