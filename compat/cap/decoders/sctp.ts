/**
 * cap's `decoders.SCTP(buf, nbytes[, offset])`: the common header and the
 * list of chunks up to `nbytes` (an end position in `buf`, as cap uses it:
 * the `nbytes` of a 'packet' event; default the buffer's length).
 *
 * cap 0.2.1 got the layout wrong and ours follows RFC 9260: the header is
 * ports (2 + 2), verification tag (4) and a 32-bit CRC32c checksum (4) —
 * cap read a 16-bit "checksum" from the tag's first half, never filled
 * `verifyTag`, and looked for chunks at byte 6 instead of 12; a chunk's
 * length field counts its 4-byte header and chunks are padded to 4 bytes,
 * which cap ignored (it skipped `length` bytes after the header).
 */
import { markTruncated, startOf, u16, u32, u8 } from './read';

export interface SCTPChunk {
  type: number;
  flags: number;
  /** Where the chunk's value starts (after its 4-byte header). */
  offset: number;
  /** Bytes of value: the chunk's length field minus its 4-byte header, so
   * the value is `buf.subarray(offset, offset + length)`. */
  length: number;
}

export interface SCTPInfo {
  srcport: number | undefined;
  dstport: number | undefined;
  verifyTag: number | undefined;
  /** The CRC32c checksum (32 bits). */
  checksum: number | undefined;
  /** undefined when the packet ends after the common header. */
  chunks: SCTPChunk[] | undefined;
}

export interface SCTPResult {
  info: SCTPInfo;
  /** After the last chunk. */
  offset: number;
  truncated?: boolean;
  /** Why the chunk walk stopped early, for a malformed chunk. */
  error?: string;
}

const COMMON_HEADER = 12;
const CHUNK_HEADER = 4;

/** Decode the SCTP header at `offset` (default 0) and its chunks up to position `nbytes`. */
export function SCTP(b: Buffer | Uint8Array, nbytes?: number, offset?: number): SCTPResult {
  const start = startOf(b, offset);
  let o = start;
  const end = Math.min(typeof nbytes === 'number' && nbytes >= 0 ? nbytes : b.length, b.length);
  const ret: SCTPResult = {
    info: { srcport: u16(b, o), dstport: u16(b, o + 2), verifyTag: u32(b, o + 4), checksum: u32(b, o + 8),
      chunks: undefined },
    offset: 0,
  };
  o += COMMON_HEADER;
  if (o < end) {
    const chunks: SCTPChunk[] = [];
    while (o < end) {
      const type = u8(b, o)!;
      const flags = u8(b, o + 1);
      const length = u16(b, o + 2);
      if (flags === undefined || length === undefined || o + CHUNK_HEADER > end) {
        ret.truncated = true;
        break;
      }
      if (length < CHUNK_HEADER) {
        ret.error = `chunk ${chunks.length} at byte ${o} has length ${length}, less than its ${CHUNK_HEADER}-byte header`;
        break;
      }
      chunks.push({ type, flags, offset: o + CHUNK_HEADER, length: length - CHUNK_HEADER });
      if (o + length > end) ret.truncated = true;
      // Padded to a multiple of 4; the last chunk's padding may be absent.
      o = Math.min(o + ((length + 3) & ~3), Math.max(end, o + length));
    }
    ret.info.chunks = chunks;
  }
  ret.offset = o;
  return markTruncated(ret, b, start + COMMON_HEADER);
}
