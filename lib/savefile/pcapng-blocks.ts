/**
 * The pcapng blocks a capture writes once per file, interface or close:
 * the Section Header Block (who wrote the file, on what), an Interface
 * Description Block per capture port, an Interface Statistics Block per
 * port when the file is closed. Built as whole Buffers (they are rare);
 * packet blocks are written by the Dumper straight into its chunk.
 *
 * Layouts and option codes are the pcapng specification's
 * (draft-ietf-opsawg-pcapng); which options a capture carries follows
 * dumpcap (SHB: hardware, OS, application; IDB: name, tsresol, OS; ISB:
 * start and end time, received and dropped).
 */
import * as os from 'node:os';
import { check } from '../errors';
import {
  BLOCK_HEADER_LEN, BLOCK_TRAILER_LEN, BT_IDB, BT_ISB, BT_SHB, BYTE_ORDER_MAGIC, IF_NAME, IF_TSRESOL, OPT_COMMENT,
  SHB_USERAPPL,
} from './format';
import { OptionList } from './pcapng-options';
import { toTicks } from './timestamp';

// Option codes the reader does not need (the specification's names).
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const IF_DESCRIPTION = 3;
const IF_FILTER = 11;
const IF_OS = 12;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
const ISB_FILTERACCEPT = 6;
const ISB_OSDROP = 7;
const ISB_USRDELIV = 8;
/** if_filter's first byte: the filter is a libpcap expression. */
const FILTER_LIBPCAP = 0;

/** The Section Header Block's options. `null` leaves one out; undefined takes the default. */
export interface SectionOptions {
  /** shb_userappl. Default 'netmap-pcap'. */
  userappl?: string | null;
  /** shb_os. Default this host's, e.g. 'Linux 6.1.0-18-amd64' (os.type() and os.release(), as dumpcap writes it). */
  os?: string | null;
  /** shb_hardware. Default this host's CPU model (os.cpus()). */
  hardware?: string | null;
  /** opt_comment: a comment on the whole file. */
  comment?: string;
}

/** One capture port, as its Interface Description Block says it. */
export interface InterfaceDescription {
  /** LINKTYPE_ value. Default the dumper's. */
  linktype?: number;
  /** Snapshot length. Default the dumper's. */
  snaplen?: number;
  /** if_name: the port name, e.g. 'eth0' or 'xdp:eth0-1'. */
  name?: string;
  /** if_description. */
  description?: string;
  /** if_filter: the libpcap expression the capture ran. */
  filter?: string;
  /** if_os. Default the section's shb_os; null leaves it out. */
  os?: string | null;
  /** opt_comment. */
  comment?: string;
}

/** What an Interface Statistics Block reports; counters are since the capture started. */
export interface InterfaceStatistics {
  /** isb_ifrecv: packets received (e.g. `stats().recv`). */
  ifrecv?: number | bigint;
  /** isb_ifdrop: packets dropped (e.g. `stats().drop + stats().ifdrop`). */
  ifdrop?: number | bigint;
  /** isb_filteraccept: packets the filter accepted. */
  filteraccept?: number | bigint;
  /** isb_osdrop: packets the operating system dropped. */
  osdrop?: number | bigint;
  /** isb_usrdeliv: packets delivered to the application (written to this file). */
  usrdeliv?: number | bigint;
  /** isb_starttime. Default when the interface was added to the file. */
  startTime?: { tsSec: number; tsNsec: number };
  /** isb_endtime, and the block's own timestamp. Default now. */
  endTime?: { tsSec: number; tsNsec: number };
  /** opt_comment. */
  comment?: string;
}

/** Wall-clock time now as seconds and nanoseconds. */
export function now(): { tsSec: number; tsNsec: number } {
  const ms = Date.now();
  return { tsSec: Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1e6 };
}

/** This host's OS as dumpcap names it ('Linux 6.1.0-18-amd64'). */
function hostOs(): string {
  return `${os.type()} ${os.release()}`;
}

function hostHardware(): string | undefined {
  const model = os.cpus()[0]?.model?.trim();
  return model ? model : undefined;
}

/** A block: type, total length, the fixed part, the options, total length again. */
function block(type: number, fixed: Buffer, options: OptionList): Buffer {
  const total = BLOCK_HEADER_LEN + fixed.length + options.size + BLOCK_TRAILER_LEN;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  b.set(fixed, BLOCK_HEADER_LEN);
  options.writeTo(b, BLOCK_HEADER_LEN + fixed.length);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** The OS an interface block names by default: the section's. */
export function sectionOs(o: SectionOptions): string | undefined {
  return o.os === null ? undefined : o.os ?? hostOs();
}

/** Section Header Block, version 1.0, little endian, section length not given. */
export function sectionHeader(o: SectionOptions): Buffer {
  check(o !== null && typeof o === 'object', 'section options must be an object');
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeInt32LE(-1, 8); // section length -1: not given (64 bits)
  fixed.writeInt32LE(-1, 12);
  const opts = new OptionList()
    .string(OPT_COMMENT, o.comment, 'section comment')
    .string(SHB_HARDWARE, o.hardware === null ? undefined : o.hardware ?? hostHardware(), 'section hardware')
    .string(SHB_OS, sectionOs(o), 'section os')
    .string(SHB_USERAPPL, o.userappl === null ? undefined : o.userappl ?? 'netmap-pcap', 'section userappl');
  return block(BT_SHB, fixed, opts);
}

/**
 * Interface Description Block. `nanosecond` picks if_tsresol 9 (else 6,
 * written too, as dumpcap writes its resolution even where it is the default).
 */
export function interfaceDescription(linktype: number, snaplen: number, nanosecond: boolean,
  d: InterfaceDescription, defaultOs: string | undefined): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(linktype, 0);
  fixed.writeUInt16LE(0, 2);
  fixed.writeUInt32LE(snaplen, 4);
  const filter = d.filter === undefined || d.filter === '' ? undefined
    : Buffer.concat([Buffer.of(FILTER_LIBPCAP), Buffer.from(String(d.filter), 'utf8')]);
  const opts = new OptionList()
    .string(OPT_COMMENT, d.comment, 'interface comment')
    .string(IF_NAME, d.name, 'interface name')
    .string(IF_DESCRIPTION, d.description, 'interface description');
  if (filter) opts.bytes(IF_FILTER, filter, 'interface filter');
  opts.u8(IF_TSRESOL, nanosecond ? 9 : 6)
    .string(IF_OS, d.os === null ? undefined : d.os ?? defaultOs, 'interface os');
  return block(BT_IDB, fixed, opts);
}

/** Interface Statistics Block for interface `ifIndex`, timestamps in the interface's units. */
export function interfaceStatistics(ifIndex: number, nanosecond: boolean, s: InterfaceStatistics,
  opened: { tsSec: number; tsNsec: number }): Buffer {
  check(s !== null && typeof s === 'object', 'statistics must be an object');
  const units = nanosecond ? 1e9 : 1e6;
  const ticks = new Uint32Array(2);
  const at = (t: { tsSec: number; tsNsec: number }, what: string): [number, number] => {
    check(t !== null && typeof t === 'object' && Number.isInteger(t.tsSec) && t.tsSec >= 0 &&
      Number.isInteger(t.tsNsec) && t.tsNsec >= 0 && t.tsNsec < 1e9, `${what} must be { tsSec, tsNsec } (non-negative integers, tsNsec < 1e9)`);
    toTicks(t.tsSec, t.tsNsec, units, ticks);
    return [ticks[0], ticks[1]];
  };
  const start = at(s.startTime ?? opened, 'startTime');
  const end = at(s.endTime ?? now(), 'endTime');
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32LE(ifIndex, 0);
  fixed.writeUInt32LE(end[0], 4);
  fixed.writeUInt32LE(end[1], 8);
  const opts = new OptionList()
    .string(OPT_COMMENT, s.comment, 'statistics comment')
    .ticks(ISB_STARTTIME, start[0], start[1])
    .ticks(ISB_ENDTIME, end[0], end[1])
    .u64(ISB_IFRECV, s.ifrecv, 'ifrecv')
    .u64(ISB_IFDROP, s.ifdrop, 'ifdrop')
    .u64(ISB_FILTERACCEPT, s.filteraccept, 'filteraccept')
    .u64(ISB_OSDROP, s.osdrop, 'osdrop')
    .u64(ISB_USRDELIV, s.usrdeliv, 'usrdeliv');
  return block(BT_ISB, fixed, opts);
}
