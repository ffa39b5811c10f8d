/**
 * Whole test frames: Ethernet + IPv4 + UDP, TCP SYN or ICMP echo, with
 * correct checksums, padded with zeros to a chosen size. `writeFrame`
 * writes into any memory (a TX ring slot, with no allocation);
 * `craftFrame` returns a new Buffer.
 */
import { check } from '../errors';
import {
  ETH_HLEN, ETHERTYPE_IPV4, ICMP_ECHO_HLEN, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPV4_HLEN,
  TCP_HLEN, UDP_HLEN, writeEthernet, writeIcmpEcho, writeIpv4, writeTcpSyn, writeUdp,
} from './headers';

/** The transport a crafted frame carries. */
export type CraftProto = 'udp' | 'tcp-syn' | 'icmp';

/** Everything a crafted frame is made of. */
export interface FrameSpec {
  /** `'udp'`, `'tcp-syn'` or `'icmp'` (an echo request). */
  proto: CraftProto;
  srcMac: Uint8Array;
  dstMac: Uint8Array;
  /** IPv4 addresses as 32-bit numbers (see `parseIpv4`). */
  srcIp: number;
  dstIp: number;
  /** UDP/TCP source port; for ICMP the echo identifier. Default 0. */
  srcPort?: number;
  /** UDP/TCP destination port. Default 0. */
  dstPort?: number;
  /** Frame length in bytes without the FCS, at least `minFrameSize(proto, payload)`. */
  size: number;
  /** IPv4 identification. Default 0. */
  ipId?: number;
  /** TCP sequence number, or the ICMP echo sequence number. Default 0. */
  seq?: number;
  /** Bytes placed at the start of the L4 payload; the rest is zeros. */
  payload?: Uint8Array;
}

const L4_HLEN: Record<CraftProto, number> = { udp: UDP_HLEN, 'tcp-syn': TCP_HLEN, icmp: ICMP_ECHO_HLEN };
const IP_PROTO: Record<CraftProto, number> = { udp: IPPROTO_UDP, 'tcp-syn': IPPROTO_TCP, icmp: IPPROTO_ICMP };

/** Bytes of headers before the payload of a `proto` frame. */
export function headersLength(proto: CraftProto): number {
  return ETH_HLEN + IPV4_HLEN + L4_HLEN[proto];
}

/** The smallest frame that holds the headers and `payloadLength` bytes. */
export function minFrameSize(proto: CraftProto, payloadLength = 0): number {
  return headersLength(proto) + payloadLength;
}

/** Throws EINVAL unless `spec` describes a frame that can be built. */
export function checkFrameSpec(spec: FrameSpec): void {
  check(spec.proto in L4_HLEN, `proto must be 'udp', 'tcp-syn' or 'icmp', not ${String(spec.proto)}`);
  const min = minFrameSize(spec.proto, spec.payload?.length ?? 0);
  check(Number.isInteger(spec.size) && spec.size >= min && spec.size <= 65535 + ETH_HLEN,
    `a ${spec.proto} frame${spec.payload ? ` with a ${spec.payload.length}-byte payload` : ''} ` +
    `is ${min} to ${65535 + ETH_HLEN} bytes, not ${spec.size}`);
  for (const port of [spec.srcPort ?? 0, spec.dstPort ?? 0]) {
    check(Number.isInteger(port) && port >= 0 && port <= 65535, `a port is 0 to 65535, not ${port}`);
  }
  for (const ip of [spec.srcIp, spec.dstIp]) {
    check(Number.isInteger(ip) && ip >= 0 && ip <= 0xffffffff, `an IPv4 address is a 32-bit unsigned number, not ${ip}`);
  }
  for (const mac of [spec.srcMac, spec.dstMac]) {
    check(mac instanceof Uint8Array && mac.length === 6, 'a MAC address is 6 bytes (see parseMac)');
  }
}

/**
 * Write the frame `spec` describes at `buf[off]` and return its length.
 * Every byte of the frame is written (the padding too), so `buf` may hold
 * an older frame. The spec is not checked here, for speed: check it once
 * with `checkFrameSpec`.
 */
export function writeFrame(buf: Uint8Array, off: number, spec: FrameSpec): number {
  const { proto, size } = spec;
  const l4 = off + ETH_HLEN + IPV4_HLEN;
  const data = l4 + L4_HLEN[proto];
  const payloadLength = off + size - data;
  writeEthernet(buf, off, spec.dstMac, spec.srcMac, ETHERTYPE_IPV4);
  writeIpv4(buf, off + ETH_HLEN, {
    src: spec.srcIp, dst: spec.dstIp, protocol: IP_PROTO[proto],
    totalLength: size - ETH_HLEN, id: spec.ipId,
  });
  const given = spec.payload ? spec.payload.length : 0;
  if (given > 0) buf.set(spec.payload!, data);
  buf.fill(0, data + given, off + size);
  const ip = { src: spec.srcIp, dst: spec.dstIp };
  if (proto === 'udp') writeUdp(buf, l4, ip, spec.srcPort ?? 0, spec.dstPort ?? 0, payloadLength);
  else if (proto === 'tcp-syn') writeTcpSyn(buf, l4, ip, spec.srcPort ?? 0, spec.dstPort ?? 0, spec.seq ?? 0, payloadLength);
  else writeIcmpEcho(buf, l4, spec.srcPort ?? 0, spec.seq ?? 0, payloadLength);
  return size;
}

/** A new Buffer holding the frame `spec` describes (checked first). */
export function craftFrame(spec: FrameSpec): Buffer {
  checkFrameSpec(spec);
  const buf = Buffer.alloc(spec.size);
  writeFrame(buf, 0, spec);
  return buf;
}
