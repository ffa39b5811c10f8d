/** cap's `decoders.UDP(buf[, offset])`. */
import { markTruncated, startOf, u16 } from './read';

export interface UDPInfo {
  srcport: number | undefined;
  dstport: number | undefined;
  /** Payload bytes: the length field minus the 8-byte header (cap's unit). */
  length: number | undefined;
  checksum: number | undefined;
}

export interface UDPResult {
  info: UDPInfo;
  /** Where the payload starts. */
  offset: number;
  truncated?: boolean;
}

const HEADER = 8;

/** Decode the UDP header at `offset` (default 0); `offset` in the result is the payload's. */
export function UDP(b: Buffer | Uint8Array, offset?: number): UDPResult {
  const o = startOf(b, offset);
  const length = u16(b, o + 4);
  const info: UDPInfo = {
    srcport: u16(b, o),
    dstport: u16(b, o + 2),
    length: length === undefined ? undefined : length - HEADER,
    checksum: u16(b, o + 6),
  };
  return markTruncated({ info, offset: o + HEADER }, b, o + HEADER);
}
