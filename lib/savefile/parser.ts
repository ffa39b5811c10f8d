/**
 * Entry point of the savefile readers: recognise the format from the first
 * bytes and return the parser for it. See types.ts for the contract.
 */
import { rd32 } from './bytes';
import { badFile, truncated } from './errors';
import { BT_SHB, MIN_BLOCK_LEN, PCAP_FILE_HEADER_LEN } from './format';
import { PcapParser, pcapByteOrder } from './pcap';
import { PcapngParser } from './pcapng';
import type { SavefileParser } from './types';

export type { InterfaceInfo, RecordSink, SavefileParser } from './types';
export { PcapParser } from './pcap';
export { PcapngParser } from './pcapng';

/** Every magic we know, as the file's first 4 bytes, to tell a truncated header from garbage. */
const MAGIC_PREFIXES = [
  [0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], // µs
  [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d], // ns
  [0x34, 0xcd, 0xb2, 0xa1], [0xa1, 0xb2, 0xcd, 0x34], // Kuznetzov
  [0x0a, 0x0d, 0x0d, 0x0a], // pcapng SHB
];

function isMagicPrefix(buf: Uint8Array, start: number, end: number): boolean {
  return MAGIC_PREFIXES.some((m) => {
    for (let i = start; i < end; i++) if (buf[i] !== m[i - start]) return false;
    return true;
  });
}

/**
 * Recognise the file whose first bytes are buf[start, end) (file offset 0).
 * Needs the 24-byte header of a pcap file, or the whole Section Header Block
 * of a pcapng file (at most MAX_SHB = 1 MiB). Returns the parser and the
 * header bytes it consumed, or null if more bytes are needed; with `atEof`
 * (no more bytes will come) it throws instead: EBADFILE for an empty file,
 * ETRUNC for a cut header. An unknown magic or a corrupt header → EBADFILE.
 *
 * A pcapng parser knows its link type only after the first IDB: calling
 * parse() with a sink that returns false reads up to the first packet
 * without consuming it.
 */
export function openParser(
  buf: Uint8Array, start: number, end: number, atEof = false,
): { parser: SavefileParser; consumed: number } | null {
  const avail = end - start;
  if (avail < 4) {
    if (!atEof) return null;
    if (avail <= 0) throw badFile(0, 'empty file (no pcap or pcapng header)');
    if (isMagicPrefix(buf, start, end)) throw truncated(0, `${avail}-byte file header`);
    throw badFile(0, 'unknown magic: not a pcap or pcapng file');
  }
  if (pcapByteOrder(buf, start) !== null) {
    if (avail < PCAP_FILE_HEADER_LEN) {
      if (atEof) throw truncated(0, `${avail} bytes of the 24-byte pcap file header`);
      return null;
    }
    return { parser: new PcapParser(buf, start), consumed: PCAP_FILE_HEADER_LEN };
  }
  if (rd32(buf, start, true) === BT_SHB) {
    if (avail < MIN_BLOCK_LEN) {
      if (atEof) throw truncated(0, `${avail} bytes of the Section Header Block`);
      return null;
    }
    const parser = new PcapngParser();
    const consumed = parser.parse(buf, start, end, 0, () => false);
    if (parser.needed > 0 && consumed === 0) {
      if (atEof) throw truncated(0, `${avail} bytes of a ${parser.needed}-byte Section Header Block`);
      return null;
    }
    // parse() went on past the SHB only through non-packet blocks: fine, they are consumed.
    return { parser, consumed };
  }
  const hex = Array.from(buf.subarray(start, start + 4), (b) => b.toString(16).padStart(2, '0')).join('');
  throw badFile(0, `unknown magic 0x${hex}: not a pcap or pcapng file`);
}
