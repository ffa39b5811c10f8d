/** Savefile errors: every message names the absolute byte offset. */
import { PcapError } from '../errors';

/** Corrupt data or not a capture file. */
export function badFile(fileOffset: number, what: string): PcapError {
  return new PcapError(
    `corrupt capture file: ${what} at byte offset ${fileOffset}`, 'EBADFILE');
}

/** The file ends inside a header or record. */
export function truncated(fileOffset: number, what: string): PcapError {
  return new PcapError(
    `truncated capture file: ${what} at byte offset ${fileOffset}; ` +
    'every complete packet before it was delivered', 'ETRUNC');
}
