/** npm pcap's `pcap/decode/arp`: ARP; addresses decoded for Ethernet + IPv4 only. */
import EthernetAddr = require('./ethernet_addr');
import IPv4Addr = require('./ipv4_addr');
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class Arp {
  emitter: Emitter | undefined;
  htype: number | undefined = undefined;
  ptype: number | undefined = undefined;
  hlen: number | undefined = undefined;
  plen: number | undefined = undefined;
  operation: number | undefined = undefined;
  sender_ha: EthernetAddr | undefined = undefined;
  sender_pa: IPv4Addr | undefined = undefined;
  target_ha: EthernetAddr | undefined = undefined;
  target_pa: IPv4Addr | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (!(b.length - offset >= 8)) {
      this._error = truncated('ARP header', 8, b.length - offset);
      return this;
    }
    this.htype = u16(b, offset);
    this.ptype = u16(b, offset + 2);
    this.hlen = b[offset + 4];
    this.plen = b[offset + 5];
    this.operation = u16(b, offset + 6);
    if (this.hlen === 6 && this.plen === 4) {
      this.sender_ha = new EthernetAddr(b, offset + 8);
      this.sender_pa = new IPv4Addr().decode(b, offset + 14);
      this.target_ha = new EthernetAddr(b, offset + 18);
      this.target_pa = new IPv4Addr().decode(b, offset + 24);
    }
    if (this.emitter) this.emitter.emit('arp', this);
    return this;
  }

  /** "request sender 00:.. 198.18.0.1 target 00:.. 198.18.0.2". */
  toString(): string {
    let s = this.operation === 1 ? 'request' : this.operation === 2 ? 'reply' : 'unknown';
    if (this.sender_ha && this.sender_pa) {
      s += ` sender ${this.sender_ha} ${this.sender_pa} target ${this.target_ha} ${this.target_pa}`;
    }
    return s;
  }
}
interface Arp { decoderName: string; eventsOnDecode: boolean }
tagDecoder(Arp, 'arp', true);

export = Arp;
