/**
 * npm pcap's `pcap/decode/sll_packet`: Linux cooked capture (DLT_LINUX_SLL,
 * what the `any` device gives). Like EthernetPacket, toString() of a packet
 * with no decoded payload does not throw here.
 */
import SLLAddr = require('./sll_addr');
import { decodeEthertype, ethertypeText } from '../../pcap-internal/link';
import type Arp = require('./arp');
import type { IPv4, IPv6 } from '../../pcap-internal/ip';
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

const PACKET_TYPES = ['recv_us', 'broadcast', 'multicast', 'remote_remote', 'sent_us'];

class SLLPacket {
  emitter: Emitter | undefined;
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packet_type: number | null = null;
  address_type: number | null = null;
  address_len: number | null = null;
  address: SLLAddr | null = null;
  ethertype: number | null = null;
  payload: IPv4 | IPv6 | Arp | string | null = null;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (!(b.length - offset >= 16)) {
      this._error = truncated('Linux cooked header', 16, b.length - offset);
      return this;
    }
    this.packet_type = u16(b, offset);
    this.address_type = u16(b, offset + 2);
    this.address_len = u16(b, offset + 4);
    // Eight bytes are reserved for the address; address_len of them count.
    this.address = new SLLAddr(b, offset + 6, this.address_len);
    const ethertype = u16(b, offset + 14);
    if (ethertype < 1536) {
      this.ethertype = 0;
    } else {
      this.ethertype = ethertype;
      this.payload = decodeEthertype(ethertype, this.emitter, b, offset + 16);
    }
    return this;
  }

  /** "recv_us addrtype 1 00:11:.. IPv4 <payload>". */
  toString(): string {
    let s = PACKET_TYPES[this.packet_type as number] ?? '';
    s += ` addrtype ${this.address_type} ${this.address}${ethertypeText(this.ethertype)}`;
    return this.payload === null ? s : `${s} ${this.payload}`;
  }
}
interface SLLPacket { decoderName: string; eventsOnDecode: boolean }
tagDecoder(SLLPacket, 'ssl-packet', false);

export = SLLPacket;
