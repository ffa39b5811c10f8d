/**
 * cap's `decoders.IPV4(buf[, offset])`: the fixed IPv4 header (options are
 * skipped, as in cap: `info.options` stays undefined).
 */
import { dotted, markTruncated, startOf, u16, u8 } from './read';

export interface IPv4Info {
  /** Header length in 32-bit words (the IHL field), as on the wire. */
  hdrlen: number | undefined;
  dscp: number | undefined;
  ecn: number | undefined;
  /** Total length in bytes; when the field is 0 (TCP segmentation offload)
   * cap derives it from the buffer's length, and so do we. */
  totallen: number | undefined;
  id: number | undefined;
  /** The 3 flag bits (bit 1: don't fragment, bit 0: more fragments). */
  flags: number | undefined;
  /** Fragment offset in 8-byte units. */
  fragoffset: number | undefined;
  ttl: number | undefined;
  protocol: number | undefined;
  hdrchecksum: number | undefined;
  srcaddr: string;
  dstaddr: string;
  options: undefined;
}

export interface IPv4Result {
  info: IPv4Info;
  /** Header length in bytes. */
  hdrlen: number;
  /** Where the payload starts. */
  offset: number;
  truncated?: boolean;
}

const FIXED_HEADER = 20;

/** Decode the IPv4 header at `offset` (default 0); `offset` in the result is the payload's. */
export function IPV4(b: Buffer | Uint8Array, offset?: number): IPv4Result {
  const o = startOf(b, offset);
  const vihl = u8(b, o);
  const tos = u8(b, o + 1);
  const frag = u16(b, o + 6);
  const info: IPv4Info = {
    hdrlen: vihl === undefined ? undefined : vihl & 0x0f,
    dscp: tos === undefined ? undefined : tos >> 2,
    ecn: tos === undefined ? undefined : tos & 0x03,
    totallen: u16(b, o + 2),
    id: u16(b, o + 4),
    flags: frag === undefined ? undefined : frag >> 13,
    fragoffset: frag === undefined ? undefined : frag & 0x1fff,
    ttl: u8(b, o + 8),
    protocol: u8(b, o + 9),
    hdrchecksum: u16(b, o + 10),
    srcaddr: dotted(b, o + 12),
    dstaddr: dotted(b, o + 16),
    options: undefined,
  };
  const hdrlen = (info.hdrlen ?? 0) * 4;
  const ret: IPv4Result = { info, hdrlen, offset: o + hdrlen };
  if (info.totallen === 0) info.totallen = b.length - ret.offset + hdrlen;
  return markTruncated(ret, b, o + Math.max(FIXED_HEADER, hdrlen));
}
