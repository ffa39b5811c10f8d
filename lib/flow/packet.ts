/**
 * FlowPacket: what the flow layer needs of one IP packet, taken once from
 * the decoders' layers so the defragmenter, the TCP reassembler, the flow
 * table and the application parsers all read the same fields.
 */
import type { Ipv4Layer } from '../decode/ipv4';
import type { Ipv6Layer } from '../decode/ipv6';
import type { TcpLayer } from '../decode/tcp';
import type { DecodedPacket } from '../decode/types';
import type { UdpLayer } from '../decode/udp';

export interface FlowPacket {
  /** Capture time in milliseconds since the epoch (fractional). */
  readonly timeMs: number;
  /** The innermost VLAN id, 0 if untagged. */
  readonly vlan: number;
  readonly version: 4 | 6;
  readonly ip: Ipv4Layer | Ipv6Layer;
  readonly src: string;
  readonly dst: string;
  /** IP protocol after any extension headers (6 TCP, 17 UDP, ...). */
  readonly protocol: number;
  /** 0 for protocols without ports. */
  readonly srcPort: number;
  readonly dstPort: number;
  /** The IP datagram's length on the wire (header included): what flow byte counters count. */
  readonly ipBytes: number;
  readonly tcp: TcpLayer | undefined;
  readonly udp: UdpLayer | undefined;
  /** The bytes the layers index into (the packet, or the rebuilt datagram). */
  readonly data: Uint8Array;
  /** Transport payload: where it starts in `data`, bytes captured, bytes on the wire. */
  readonly payloadOffset: number;
  readonly payloadLength: number;
  readonly payloadWireLength: number;
  /** true if this is a datagram the defragmenter rebuilt. */
  readonly reassembled: boolean;
}

/** Milliseconds of a packet header's timestamp. */
export const headerTimeMs = (h: { tsSec: number; tsNsec: number }): number => h.tsSec * 1000 + h.tsNsec / 1e6;

/**
 * The FlowPacket of a decoded packet, or null when it carries no IP. `wireLen`
 * is the frame's length on the wire (header.len), used when IP's own
 * length field is 0 (segmentation offload). `outerVlan`: the VLAN of a
 * rebuilt datagram (decoded from its IP header on, it has no tag of its own).
 */
export function flowPacket(pkt: DecodedPacket, data: Uint8Array, timeMs: number, wireLen: number, reassembled: boolean,
  outerVlan = 0): FlowPacket | null {
  let ip: Ipv4Layer | Ipv6Layer | undefined;
  let vlan = outerVlan;
  let tcp: TcpLayer | undefined;
  let udp: UdpLayer | undefined;
  for (const l of pkt.layers) {
    const k = l.kind;
    if (k === 'ipv4' || k === 'ipv6') ip = l;
    else if (k === 'vlan' && ip === undefined) vlan = l.vid;
    else if (k === 'tcp') { tcp = l; break; } else if (k === 'udp') { udp = l; break; }
  }
  if (ip === undefined) return null;
  const v4 = ip.kind === 'ipv4';
  const declared = v4 ? (ip as Ipv4Layer).totalLength : 40 + (ip as Ipv6Layer).payloadLength;
  const ipBytes = declared === 0 || (!v4 && (ip as Ipv6Layer).payloadLength === 0) ? Math.max(0, wireLen - ip.offset) : declared;
  const ipEnd = ip.offset + ipBytes;
  const l4 = tcp ?? udp;
  const start = l4 === undefined ? ip.offset + ip.length : l4.offset + l4.length;
  const captured = Math.max(0, Math.min(data.length, ipEnd) - start);
  return {
    timeMs, vlan, version: v4 ? 4 : 6, ip, src: ip.src, dst: ip.dst, protocol: ip.protocol,
    srcPort: l4?.srcPort ?? 0, dstPort: l4?.dstPort ?? 0, ipBytes, tcp, udp, data,
    payloadOffset: start, payloadLength: captured, payloadWireLength: Math.max(0, ipEnd - start), reassembled,
  };
}
