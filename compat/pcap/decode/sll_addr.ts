/**
 * npm pcap's `pcap/decode/sll_addr`: the link-layer address of a Linux
 * cooked (SLL) header, `len` significant bytes.
 */
import { int8_to_hex as hex } from '../util';
import { tagDecoder } from '../../pcap-internal/decoder';
import type { Bytes } from '../../pcap-internal/decoder';

class SLLAddr {
  addr: number[];

  constructor(raw_packet: Bytes, offset: number, len: number) {
    this.addr = new Array(len);
    for (let i = 0; i < len; i++) this.addr[i] = raw_packet[offset + i];
  }

  /**
   * npm pcap 3.1.0 prints the byte after the last one in place of the last
   * ("00:11:22:33:44:undefined" for a 6-byte address); kept as it is, so
   * output matches byte for byte.
   */
  toString(): string {
    let s = '';
    const last = this.addr.length - 1;
    let i = 0;
    for (; i < last; i++) s += `${hex[this.addr[i]]}:`;
    return s + hex[this.addr[i + 1]];
  }
}
interface SLLAddr { decoderName: string; eventsOnDecode: boolean }
tagDecoder(SLLAddr, 'ssl-addr', false);

export = SLLAddr;
