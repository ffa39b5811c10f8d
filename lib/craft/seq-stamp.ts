/**
 * The sequence stamp nmsend --seq puts at the start of each frame's L4
 * payload, so a receiver can count loss and reordering and measure
 * latency. 20 bytes, big-endian:
 *
 *   0  u32  magic 0x4E4D5351 ("NMSQ")
 *   4  u64  sequence number, from 0 (high word first)
 *  12  u32  send time, seconds since the epoch
 *  16  u32  send time, nanoseconds
 */
import {
  ETH_HLEN, ETHERTYPE_IPV4, ICMP_ECHO_HLEN, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, put32, UDP_HLEN,
} from './headers';

export const SEQ_STAMP_MAGIC = 0x4e4d5351;
export const SEQ_STAMP_LENGTH = 20;

/** A decoded stamp. `seq` is exact up to 2^53. */
export interface SeqStamp {
  seq: number;
  tsSec: number;
  tsNsec: number;
}

const TWO32 = 0x100000000;

/** Write a stamp at `buf[off]` (20 bytes). */
export function writeSeqStamp(buf: Uint8Array, off: number, seq: number, tsSec: number, tsNsec: number): void {
  // Byte stores, not a DataView: no allocation per frame.
  put32(buf, off, SEQ_STAMP_MAGIC);
  put32(buf, off + 4, Math.floor(seq / TWO32));
  put32(buf, off + 8, seq);
  put32(buf, off + 12, tsSec);
  put32(buf, off + 16, tsNsec);
}

/**
 * Where the L4 payload of an Ethernet/IPv4 UDP, TCP or ICMP frame starts,
 * or -1 for any other frame (or one too short to tell).
 */
export function l4PayloadOffset(frame: Uint8Array): number {
  if (frame.length < ETH_HLEN + 20) return -1;
  if (((frame[12] << 8) | frame[13]) !== ETHERTYPE_IPV4 || frame[ETH_HLEN] >> 4 !== 4) return -1;
  const l4 = ETH_HLEN + (frame[ETH_HLEN] & 0x0f) * 4;
  const proto = frame[ETH_HLEN + 9];
  if (proto === IPPROTO_UDP) return l4 + UDP_HLEN;
  if (proto === IPPROTO_ICMP) return l4 + ICMP_ECHO_HLEN;
  if (proto === IPPROTO_TCP && frame.length >= l4 + 13) return l4 + (frame[l4 + 12] >> 4) * 4;
  return -1;
}

/** The stamp in `frame` (a whole Ethernet frame), or null if it has none. */
export function readSeqStamp(frame: Uint8Array): SeqStamp | null {
  const off = l4PayloadOffset(frame);
  if (off < 0 || frame.length < off + SEQ_STAMP_LENGTH) return null;
  const view = new DataView(frame.buffer, frame.byteOffset + off, SEQ_STAMP_LENGTH);
  if (view.getUint32(0) !== SEQ_STAMP_MAGIC) return null;
  return {
    seq: view.getUint32(4) * TWO32 + view.getUint32(8),
    tsSec: view.getUint32(12),
    tsNsec: view.getUint32(16),
  };
}
