/**
 * npm pcap's `pcap/decode/llc_packet`: IEEE 802.2 LLC with a SNAP header
 * (DSAP/SSAP 0xaa, or 0x00), as 802.11 data frames carry it; IPv4, ARP and
 * IPv6 payloads are decoded. Emits 'llc'.
 */
import Arp = require('./arp');
import { IPv4, IPv6 } from '../../pcap-internal/ip';
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class LogicalLinkControl {
  emitter: Emitter | undefined;
  dsap: number | undefined = undefined;
  ssap: number | undefined = undefined;
  controlField: number | undefined = undefined;
  /** The SNAP organization code, three bytes. */
  orgCode: number[] | undefined = undefined;
  /** The SNAP protocol id (an ethertype). */
  type: number | undefined = undefined;
  _error: string | undefined = undefined;
  /** Set when `type` is IPv4, ARP or IPv6. */
  declare payload?: IPv4 | IPv6 | Arp;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    this.dsap = b[offset];
    this.ssap = b[offset + 1];
    const snap = (this.dsap === 0xaa && this.ssap === 0xaa) || (this.dsap === 0 && this.ssap === 0);
    if (!snap) {
      this._error = `Unknown LLC types: DSAP: ${this.dsap}, SSAP: ${this.ssap}`;
    } else if (!(b.length - offset >= 8)) {
      this._error = truncated('LLC/SNAP header', 8, b.length - offset);
      return this;
    } else {
      this.controlField = b[offset + 2];
      this.orgCode = [b[offset + 3], b[offset + 4], b[offset + 5]];
      this.type = u16(b, offset + 6);
      const at = offset + 8;
      if (this.type === 0x0800) this.payload = new IPv4(this.emitter).decode(b, at);
      else if (this.type === 0x0806) this.payload = new Arp(this.emitter).decode(b, at);
      else if (this.type === 0x86dd) this.payload = new IPv6(this.emitter).decode(b, at);
    }
    if (this.emitter) this.emitter.emit('llc', this);
    return this;
  }
}
interface LogicalLinkControl { decoderName: string; eventsOnDecode: boolean }
tagDecoder(LogicalLinkControl, 'llc', true);

export = LogicalLinkControl;
