/**
 * The parser contract shared by the pcap and pcapng readers, shaped for an
 * offline session that reads a file into one reusable buffer and fills ring
 * slots from it: the parser never copies packet bytes and never allocates per
 * packet; it reports where each packet sits in the caller's buffer.
 */

/**
 * Called once per packet. `offset` is the index in the caller's buffer of the
 * packet's first byte, `caplen` bytes long. Timestamps are seconds plus
 * nanoseconds. `ifIndex` is the packet's interface in `parser.interfaces`
 * (always 0 for pcap). Return false when there is no room: the parser stops
 * before this record, does not consume it, and hands it again on the next
 * call.
 */
export type RecordSink = (
  offset: number, caplen: number, len: number,
  tsSec: number, tsNsec: number, linktype: number, ifIndex: number,
) => boolean;

/** One capture interface (pcap files have exactly one, from the file header). */
export interface InterfaceInfo {
  /** LINKTYPE_ value as stored in the file (not mapped to a DLT_ value). */
  linktype: number;
  /** Snapshot length as stored in the file (0 = none given). */
  snaplen: number;
  /** Timestamp units per second: 1e6, 1e9, 2^k … */
  tsresol: number;
  /** Whether tsresol is a power of 2 (if_tsresol with its high bit set). */
  tsresolBinary: boolean;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  tsoffset: number;
  /** pcapng if_name, if present. */
  name?: string;
  /** pcapng section (0-based) the interface belongs to. */
  section: number;
}

export interface SavefileParser {
  readonly format: 'pcap' | 'pcapng';
  /**
   * Parse whole records in buf[start, end); `fileOffset` is the file offset
   * of buf[start]. Calls `sink` once per packet. Returns the bytes consumed
   * (whole records/blocks only); afterwards `needed` tells how many bytes,
   * from the first unconsumed one, the next record needs. Throws PcapError
   * EBADFILE naming the absolute byte offset for corrupt data. Never reads
   * outside [start, end).
   */
  parse(buf: Uint8Array, start: number, end: number, fileOffset: number, sink: RecordSink): number;
  /** At end of file with `leftover` unconsumed bytes at `fileOffset`: ETRUNC if leftover > 0. */
  finish(leftover: number, fileOffset: number): void;
  /**
   * After parse(): the size of the incomplete record or block that stopped
   * it (header included), or 0. Never more than MAX_BLOCK, so a caller
   * whose buffer can grow to MAX_BLOCK always makes progress.
   */
  readonly needed: number;
  /** First interface's link type (pcap: the header's); -1 before a pcapng IDB is parsed. */
  readonly linktype: number;
  /** First interface's snapshot length as libpcap adjusts it (0 → 262144). */
  readonly snaplen: number;
  /** pcap: the nanosecond magic; pcapng: first interface's resolution is 1 ns or finer. */
  readonly nanosecond: boolean;
  /** Every interface seen so far, across sections. */
  readonly interfaces: readonly InterfaceInfo[];
  /** opt_comment strings of SHBs, IDBs and ISBs (not of packets), at most MAX_COMMENTS. */
  readonly comments: readonly string[];
}
