/** npm pcap's `pcap/decode/arp`: ARP; addresses decoded for Ethernet + IPv4 only. */
import EthernetAddr = require('./ethernet_addr');
import IPv4Addr = require('./ipv4_addr');
import { tagDecoder, truncated, u16, u32 } from '../../pcap-internal/decoder';
import { fieldsWith, inspectSymbol, ipv4Bytes, macBytes, ownView } from '../../pcap-internal/show';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class Arp {
  emitter: Emitter | undefined;
  htype: number | undefined = undefined;
  ptype: number | undefined = undefined;
  hlen: number | undefined = undefined;
  plen: number | undefined = undefined;
  operation: number | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;
  /**
   * The Ethernet/IPv4 addresses as read: sender MAC (16 + 32 bits), sender
   * IP, target MAC, target IP; their objects are built on first use.
   */
  #sha_hi = 0;
  #sha_lo = 0;
  #spa = 0;
  #tha_hi = 0;
  #tha_lo = 0;
  #tpa = 0;
  #read = false;
  #sender_ha: EthernetAddr | undefined = undefined;
  #sender_pa: IPv4Addr | undefined = undefined;
  #target_ha: EthernetAddr | undefined = undefined;
  #target_pa: IPv4Addr | undefined = undefined;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  get sender_ha(): EthernetAddr | undefined {
    if (this.#sender_ha === undefined && this.#read) this.#sender_ha = new EthernetAddr(macBytes(this.#sha_hi, this.#sha_lo), 0);
    return this.#sender_ha;
  }

  set sender_ha(value: EthernetAddr | undefined) {
    this.#sender_ha = value;
  }

  get sender_pa(): IPv4Addr | undefined {
    if (this.#sender_pa === undefined && this.#read) this.#sender_pa = new IPv4Addr().decode(ipv4Bytes(this.#spa), 0);
    return this.#sender_pa;
  }

  set sender_pa(value: IPv4Addr | undefined) {
    this.#sender_pa = value;
  }

  get target_ha(): EthernetAddr | undefined {
    if (this.#target_ha === undefined && this.#read) this.#target_ha = new EthernetAddr(macBytes(this.#tha_hi, this.#tha_lo), 0);
    return this.#target_ha;
  }

  set target_ha(value: EthernetAddr | undefined) {
    this.#target_ha = value;
  }

  get target_pa(): IPv4Addr | undefined {
    if (this.#target_pa === undefined && this.#read) this.#target_pa = new IPv4Addr().decode(ipv4Bytes(this.#tpa), 0);
    return this.#target_pa;
  }

  set target_pa(value: IPv4Addr | undefined) {
    this.#target_pa = value;
  }

  toJSON(): Record<string, unknown> {
    return fieldsWith(this, [['operation', 'sender_ha', this.sender_ha], ['sender_ha', 'sender_pa', this.sender_pa],
      ['sender_pa', 'target_ha', this.target_ha], ['target_ha', 'target_pa', this.target_pa]]);
  }

  [inspectSymbol](): object {
    return ownView(this, this.toJSON());
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
      if (b.length - offset >= 28) {
        this.#sha_hi = u16(b, offset + 8);
        this.#sha_lo = u32(b, offset + 10);
        this.#spa = u32(b, offset + 14);
        this.#tha_hi = u16(b, offset + 18);
        this.#tha_lo = u32(b, offset + 20);
        this.#tpa = u32(b, offset + 24);
        this.#read = true;
      } else {
        // Cut inside the addresses: npm pcap's arrays hold undefined past the end.
        this.#sender_ha = new EthernetAddr(b, offset + 8);
        this.#sender_pa = new IPv4Addr().decode(b, offset + 14);
        this.#target_ha = new EthernetAddr(b, offset + 18);
        this.#target_pa = new IPv4Addr().decode(b, offset + 24);
      }
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
