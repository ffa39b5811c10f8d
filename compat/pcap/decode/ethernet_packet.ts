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
import { tagDecoder, truncated, u16, u32 } from '../../pcap-internal/decoder';
import { fieldsWith, inspectSymbol, macBytes, ownView } from '../../pcap-internal/show';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class EthernetPacket {
  emitter: Emitter | undefined;
  /** 0 for 802.3 frames (a length, not a type, below 1536). */
  ethertype: number | null = null;
  vlan: Vlan | null = null;
  payload: IPv4 | IPv6 | Arp | string | null = null;
  /** Set only when the frame is cut short (npm pcap throws there). */
  declare _error?: string;

  /** The addresses as read (16 + 32 bits each); their objects are built on first use. */
  #dhi = 0;
  #dlo = 0;
  #shi = 0;
  #slo = 0;
  #read = false;
  #dhost: EthernetAddr | null = null;
  #shost: EthernetAddr | null = null;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  /** The destination address (built on first use). */
  get dhost(): EthernetAddr | null {
    if (this.#dhost === null && this.#read) this.#dhost = new EthernetAddr(macBytes(this.#dhi, this.#dlo), 0);
    return this.#dhost;
  }

  set dhost(value: EthernetAddr | null) {
    this.#dhost = value;
  }

  /** The source address (built on first use). */
  get shost(): EthernetAddr | null {
    if (this.#shost === null && this.#read) this.#shost = new EthernetAddr(macBytes(this.#shi, this.#slo), 0);
    return this.#shost;
  }

  set shost(value: EthernetAddr | null) {
    this.#shost = value;
  }

  toJSON(): Record<string, unknown> {
    return fieldsWith(this, [['emitter', 'dhost', this.dhost], ['dhost', 'shost', this.shost]]);
  }

  [inspectSymbol](): object {
    return ownView(this, this.toJSON());
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (b.length - offset >= 12) {
      this.#dhi = u16(b, offset);
      this.#dlo = u32(b, offset + 2);
      this.#shi = u16(b, offset + 6);
      this.#slo = u32(b, offset + 8);
      this.#read = true;
    } else {
      // Cut inside the addresses: npm pcap's arrays hold undefined past the end.
      this.#dhost = new EthernetAddr(b, offset);
      this.#shost = new EthernetAddr(b, offset + 6);
    }
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
