/**
 * A FlowPacket for one TCP segment built from plain fields, so that code
 * with a decoder of its own (compat/pcap's npm-pcap objects) can drive the
 * TCP reassembler without decoding the packet twice.
 */
import type { Ipv4Layer } from '../decode/ipv4';
import type { TcpLayer } from '../decode/tcp';
import type { TcpOption } from '../decode/tcp-options';
import type { FlowPacket } from './packet';

export interface TcpSegmentFields {
  timeMs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The flag bits (TCP_FLAGS). */
  flags: number;
  window: number;
  /** The SYN's window-scale shift, or null/undefined if it has none. */
  windowScale?: number | null;
  /** The payload (a view is fine: the reassembler copies what it keeps). */
  payload: Uint8Array;
  /** Default 0. */
  vlan?: number;
}

/**
 * The segment as a FlowPacket for `TcpReassembler.packet()`. Its `ip`
 * layer is a stand-in with the addresses and protocol only: the
 * reassembler reads none of the rest.
 */
export function tcpFlowPacket(f: TcpSegmentFields): FlowPacket {
  const options: TcpOption[] = f.windowScale === null || f.windowScale === undefined ? []
    : [{ name: 'wscale', code: 3, length: 3, shift: f.windowScale } as TcpOption];
  const tcp = {
    kind: 'tcp', offset: 0, length: 20, srcPort: f.srcPort, dstPort: f.dstPort, seq: f.seq >>> 0, ack: f.ack >>> 0,
    flags: f.flags, window: f.window, checksum: 0, urgentPointer: 0, options,
  } as TcpLayer;
  const ip = { kind: 'ipv4', offset: 0, length: 20, src: f.src, dst: f.dst, protocol: 6 } as unknown as Ipv4Layer;
  return {
    timeMs: f.timeMs, vlan: f.vlan ?? 0, version: 4, ip, src: f.src, dst: f.dst, protocol: 6,
    srcPort: f.srcPort, dstPort: f.dstPort, ipBytes: 40 + f.payload.length, tcp, udp: undefined,
    data: f.payload, payloadOffset: 0, payloadLength: f.payload.length, payloadWireLength: f.payload.length, reassembled: false,
  };
}
