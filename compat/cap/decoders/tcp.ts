/**
 * cap's `decoders.TCP(buf[, offset])`: the fixed TCP header. Options are
 * skipped, as in cap (`info.options` stays undefined); `hdrlen` covers them.
 */
import { markTruncated, startOf, u16, u32, u8 } from './read';

export interface TCPInfo {
  srcport: number | undefined;
  dstport: number | undefined;
  seqno: number | undefined;
  /** undefined unless the ACK flag is set. */
  ackno: number | undefined;
  /** The 9 flag bits: NS 0x100, CWR 0x80, ECE 0x40, URG 0x20, ACK 0x10,
   * PSH 0x08, RST 0x04, SYN 0x02, FIN 0x01. */
  flags: number | undefined;
  window: number | undefined;
  checksum: number | undefined;
  /** undefined unless the URG flag is set. */
  urgentptr: number | undefined;
  options: undefined;
}

export interface TCPResult {
  info: TCPInfo;
  /** Header length in bytes (data offset * 4). */
  hdrlen: number;
  /** Where the payload starts. */
  offset: number;
  truncated?: boolean;
}

const FIXED_HEADER = 20;
const ACK = 0x10;
const URG = 0x20;

/** Decode the TCP header at `offset` (default 0); `offset` in the result is the payload's. */
export function TCP(b: Buffer | Uint8Array, offset?: number): TCPResult {
  const o = startOf(b, offset);
  const doff = u8(b, o + 12);
  const low = u8(b, o + 13);
  const flags = doff === undefined || low === undefined ? undefined : ((doff & 1) << 8) | low;
  const info: TCPInfo = {
    srcport: u16(b, o),
    dstport: u16(b, o + 2),
    seqno: u32(b, o + 4),
    ackno: flags !== undefined && (flags & ACK) !== 0 ? u32(b, o + 8) : undefined,
    flags,
    window: u16(b, o + 14),
    checksum: u16(b, o + 16),
    urgentptr: flags !== undefined && (flags & URG) !== 0 ? u16(b, o + 18) : undefined,
    options: undefined,
  };
  const hdrlen = doff === undefined ? 0 : (doff >> 4) * 4;
  return markTruncated({ info, hdrlen, offset: o + hdrlen }, b, o + Math.max(FIXED_HEADER, hdrlen));
}
