/**
 * Header writers: each writes one header into `buf` at `off`, in network
 * byte order, and returns the offset just past it. The checksums are
 * computed here, so the L4 writers must run after their payload is in place.
 */
import { checksumAdd, checksumFinish } from './checksum';

export const ETH_HLEN = 14;
export const IPV4_HLEN = 20;
export const UDP_HLEN = 8;
export const TCP_HLEN = 20;
export const ICMP_ECHO_HLEN = 8;

export const ETHERTYPE_IPV4 = 0x0800;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

const TCP_SYN = 0x02;
const ICMP_ECHO_REQUEST = 8;

/** Big-endian 16-bit store. */
export function put16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
}

/** Big-endian 32-bit store (of v modulo 2^32). */
export function put32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}

/** Ethernet II: destination, source, ethertype. */
export function writeEthernet(buf: Uint8Array, off: number, dst: Uint8Array, src: Uint8Array,
                              ethertype: number): number {
  buf.set(dst.subarray(0, 6), off);
  buf.set(src.subarray(0, 6), off + 6);
  put16(buf, off + 12, ethertype);
  return off + ETH_HLEN;
}

/** The IPv4 fields a writer needs; addresses are 32-bit numbers. */
export interface Ipv4Fields {
  src: number;
  dst: number;
  protocol: number;
  /** Header plus payload, in bytes. */
  totalLength: number;
  /** Identification (default 0). */
  id?: number;
  /** Default 64. */
  ttl?: number;
}

/** A 20-byte IPv4 header (no options, DF clear) with its checksum. */
export function writeIpv4(buf: Uint8Array, off: number, f: Ipv4Fields): number {
  buf[off] = 0x45; // version 4, IHL 5 words
  buf[off + 1] = 0; // DSCP/ECN
  put16(buf, off + 2, f.totalLength);
  put16(buf, off + 4, (f.id ?? 0) & 0xffff);
  put16(buf, off + 6, 0); // flags, fragment offset
  buf[off + 8] = f.ttl ?? 64;
  buf[off + 9] = f.protocol;
  put16(buf, off + 10, 0);
  put32(buf, off + 12, f.src);
  put32(buf, off + 16, f.dst);
  put16(buf, off + 10, checksumFinish(checksumAdd(buf, off, off + IPV4_HLEN)));
  return off + IPV4_HLEN;
}

/** The sum of the IPv4 pseudo-header that UDP and TCP checksums cover. */
function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * A UDP header over the `payloadLength` bytes that already follow it,
 * with the checksum over the pseudo-header (0 is sent as 0xffff).
 */
export function writeUdp(buf: Uint8Array, off: number, ip: { src: number; dst: number },
                         srcPort: number, dstPort: number, payloadLength: number): number {
  const len = UDP_HLEN + payloadLength;
  put16(buf, off, srcPort);
  put16(buf, off + 2, dstPort);
  put16(buf, off + 4, len);
  put16(buf, off + 6, 0);
  const sum = checksumAdd(buf, off, off + len, pseudoHeaderSum(ip.src, ip.dst, IPPROTO_UDP, len));
  put16(buf, off + 6, checksumFinish(sum) || 0xffff);
  return off + UDP_HLEN;
}

/** A TCP SYN header (no options, window 65535) over the payload that follows it. */
export function writeTcpSyn(buf: Uint8Array, off: number, ip: { src: number; dst: number },
                            srcPort: number, dstPort: number, seq: number, payloadLength: number): number {
  const len = TCP_HLEN + payloadLength;
  put16(buf, off, srcPort);
  put16(buf, off + 2, dstPort);
  put32(buf, off + 4, seq);
  put32(buf, off + 8, 0); // ack
  buf[off + 12] = (TCP_HLEN / 4) << 4;
  buf[off + 13] = TCP_SYN;
  put16(buf, off + 14, 65535);
  put32(buf, off + 16, 0); // checksum, urgent pointer
  const sum = checksumAdd(buf, off, off + len, pseudoHeaderSum(ip.src, ip.dst, IPPROTO_TCP, len));
  put16(buf, off + 16, checksumFinish(sum));
  return off + TCP_HLEN;
}

/** An ICMP echo request header over the payload that follows it. */
export function writeIcmpEcho(buf: Uint8Array, off: number, id: number, seq: number,
                              payloadLength: number): number {
  buf[off] = ICMP_ECHO_REQUEST;
  buf[off + 1] = 0;
  put16(buf, off + 2, 0);
  put16(buf, off + 4, id & 0xffff);
  put16(buf, off + 6, seq & 0xffff);
  put16(buf, off + 2, checksumFinish(checksumAdd(buf, off, off + ICMP_ECHO_HLEN + payloadLength)));
  return off + ICMP_ECHO_HLEN;
}
