/**
 * npm pcap's link-type strings. It names the five link types its decoders
 * know and calls every other "Unknown linktype N".
 */

const NAMES: Record<number, string> = {
  0: 'LINKTYPE_NULL',
  1: 'LINKTYPE_ETHERNET',
  // DLT_RAW is 12 or 14 depending on the system; savefiles say 101.
  12: 'LINKTYPE_RAW',
  14: 'LINKTYPE_RAW',
  101: 'LINKTYPE_RAW',
  113: 'LINKTYPE_LINUX_SLL',
  127: 'LINKTYPE_IEEE802_11_RADIO',
};

/** "LINKTYPE_ETHERNET" for 1, ..., "Unknown linktype 276" otherwise. */
export function linkTypeString(linktype: number): string {
  return NAMES[linktype] ?? `Unknown linktype ${linktype}`;
}

/** The 16-byte record header npm pcap hands out: tv_sec, tv_usec, caplen, len (little-endian). */
export function writeRecordHeader(into: Buffer, tsSec: number, tsUsec: number, caplen: number, len: number): Buffer {
  into.writeUInt32LE(tsSec >>> 0, 0);
  into.writeUInt32LE(tsUsec >>> 0, 4);
  into.writeUInt32LE(caplen >>> 0, 8);
  into.writeUInt32LE(len >>> 0, 12);
  return into;
}
