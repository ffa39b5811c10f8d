/** npm pcap's `pcap/decode/ipv4_addr`: an IPv4 address ("198.18.0.1"). */
import { int8_to_dec as dec } from '../util';
import { tagDecoder } from '../../pcap-internal/decoder';
import type { Bytes } from '../../pcap-internal/decoder';

class IPv4Addr {
  /** The four bytes. */
  addr: number[] = new Array(4);

  decode(raw_packet: Bytes, offset: number): this {
    const a = this.addr;
    a[0] = raw_packet[offset];
    a[1] = raw_packet[offset + 1];
    a[2] = raw_packet[offset + 2];
    a[3] = raw_packet[offset + 3];
    return this;
  }

  toString(): string {
    const a = this.addr;
    return `${dec[a[0]]}.${dec[a[1]]}.${dec[a[2]]}.${dec[a[3]]}`;
  }
}
interface IPv4Addr { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IPv4Addr, 'ipv4-addr', false);

export = IPv4Addr;
