/**
 * npm pcap's `pcap/decode`: `decode(packetWithHeader, emitter?, options?)`
 * (also `decode.packet`) and the top-level decoder classes.
 */
import ArpClass = require('./arp');
import EthernetPacketClass = require('./ethernet_packet');
import PcapPacketClass = require('./pcap_packet');
import { IPv4, IPv6 } from '../../pcap-internal/ip';
import type { Emitter } from '../../pcap-internal/decoder';
import type { DecodeOptions, PacketWithHeader } from '../../pcap-internal/types';

export const EthernetPacket = EthernetPacketClass;
export const IPv4Packet = IPv4;
export const IPv6Packet = IPv6;
export const ArpPacket = ArpClass;
export const PcapPacket = PcapPacketClass;

/**
 * Decode a packet as a 'packet' event delivers it. With `emitter`, each
 * layer that has events ('ipv4', 'tcp', 'udp', 'arp', ...) is emitted on it
 * once decoded, innermost first.
 */
export function decode(packet: PacketWithHeader, emitter?: Emitter, options?: DecodeOptions): PcapPacketClass {
  return new PcapPacketClass(emitter).decode(packet, options);
}
decode.packet = decode;
