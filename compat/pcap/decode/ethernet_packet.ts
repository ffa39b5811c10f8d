/**
 * npm pcap's `pcap/decode/ethernet_packet`: an Ethernet II frame, one
 * optional 802.1Q tag, and an IPv4, ARP or IPv6 payload.
 *
 * Unlike npm pcap 3.1.0, toString() of a frame whose payload is not
 * decoded (an unknown ethertype, an 802.3 length field) does not throw: it
 * ends after the ethertype. Nothing is printed to the console for
 * ethertypes it does not know.
 */
import type Arp = require('./arp');
import EthernetAddr = require('./ethernet_addr');
import Vlan = require('./vlan');
import type { IPv4, IPv6 } from '../../pcap-internal/ip';
import { decodeEthertype, ethertypeText } from '../../pcap-internal/link';
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class EthernetPacket {
  emitter: Emitter | undefined;
  dhost: EthernetAddr | null = null;
  shost: EthernetAddr | null = null;
  /** 0 for 802.3 frames (a length, not a type, below 1536). */
  ethertype: number | null = null;
  vlan: Vlan | null = null;
  payload: IPv4 | IPv6 | Arp | string | null = null;
  /** Set only when the frame is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    this.dhost = new EthernetAddr(b, offset);
    this.shost = new EthernetAddr(b, offset + 6);
    if (!(b.length - offset >= 14)) {
      this._error = truncated('Ethernet header', 14, b.length - offset);
      return this;
    }
    let ethertype = u16(b, offset + 12);
    let at = offset + 14;
    if (ethertype === 0x8100) {
      this.vlan = new Vlan().decode(b, at);
      if (!(b.length - at >= 4)) {
        this.ethertype = ethertype;
        this._error = truncated('802.1Q tag', 4, b.length - at);
        return this;
      }
      ethertype = u16(b, at + 2);
      at += 4;
    }
    if (ethertype < 1536) {
      this.ethertype = 0;
    } else {
      this.ethertype = ethertype;
      this.payload = decodeEthertype(ethertype, this.emitter, b, at);
    }
    return this;
  }

  /** "aa:.. -> bb:.. vlan 0 0 3 IPv4 <payload>". */
  toString(): string {
    let s = `${this.shost} -> ${this.dhost}`;
    if (this.vlan) s += ` vlan ${this.vlan}`;
    s += ethertypeText(this.ethertype);
    return this.payload === null ? s : `${s} ${this.payload}`;
  }
}
interface EthernetPacket { decoderName: string; eventsOnDecode: boolean }
tagDecoder(EthernetPacket, 'ethernet-packet', false);

export = EthernetPacket;
