/**
 * npm pcap's `pcap/decode/ipv6_addr`: an IPv6 address, written out in full
 * (eight groups of four hex digits, no "::" shortening, as npm pcap does).
 */
import { int8_to_hex as hex } from '../util';
import { tagDecoder } from '../../pcap-internal/decoder';
import type { Bytes } from '../../pcap-internal/decoder';

class IPv6Addr {
  /** The sixteen bytes (empty slots until decode()). */
  addr: number[] = new Array(16);

  decode(raw_packet: Bytes, offset: number): this {
    const a = this.addr;
    for (let i = 0; i < 16; i++) a[i] = raw_packet[offset + i];
    return this;
  }

  toString(): string {
    const a = this.addr;
    let s = hex[a[0]] + hex[a[1]];
    for (let i = 2; i < 16; i += 2) s += `:${hex[a[i]]}${hex[a[i + 1]]}`;
    return s;
  }
}
interface IPv6Addr { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IPv6Addr, 'ipv6-addr', false);

export = IPv6Addr;
