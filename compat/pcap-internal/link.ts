/**
 * The ethertype dispatch EthernetPacket and SLLPacket share (npm pcap
 * repeats it in both).
 */
import Arp = require('../pcap/decode/arp');
import { IPv4, IPv6 } from './ip';
import type { Bytes, Emitter } from './decoder';

/** What npm pcap writes for an LLDP frame's payload. */
const LLDP = 'need to implement LLDP';

/** " IPv4" and the like, the ethertype's part of toString(). */
export function ethertypeText(ethertype: number | null | undefined): string {
  switch (ethertype) {
    case 0x800: return ' IPv4';
    case 0x806: return ' ARP';
    case 0x86dd: return ' IPv6';
    case 0x88cc: return ' LLDP';
    default: return ` ethertype ${ethertype}`;
  }
}

/** The payload decoder npm pcap uses for an ethertype, or null. */
export function decodeEthertype(ethertype: number, emitter: Emitter | undefined, raw: Bytes, offset: number):
    IPv4 | IPv6 | Arp | string | null {
  switch (ethertype) {
    case 0x800: return new IPv4(emitter).decode(raw, offset);
    case 0x806: return new Arp(emitter).decode(raw, offset);
    case 0x86dd: return new IPv6(emitter).decode(raw, offset);
    case 0x88cc: return LLDP;
    default: return null;
  }
}

