/** npm pcap's `pcap/decode/ethernet_addr`: a MAC address ("00:11:22:33:44:55"). */
import { int8_to_hex as hex } from '../util';
import type { Bytes } from '../../pcap-internal/decoder';

class EthernetAddr {
  /** The six bytes. */
  addr: number[];

  /** Reads six bytes at `offset` (pcap decodes in the constructor here). */
  constructor(raw_packet: Bytes, offset: number) {
    this.addr = [raw_packet[offset], raw_packet[offset + 1], raw_packet[offset + 2],
      raw_packet[offset + 3], raw_packet[offset + 4], raw_packet[offset + 5]];
  }

  toString(): string {
    const a = this.addr;
    return `${hex[a[0]]}:${hex[a[1]]}:${hex[a[2]]}:${hex[a[3]]}:${hex[a[4]]}:${hex[a[5]]}`;
  }
}

export = EthernetAddr;
