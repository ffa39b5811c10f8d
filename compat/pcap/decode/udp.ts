/**
 * npm pcap's `pcap/decode/udp`. The payload is left raw in `data`;
 * toString() decodes it as DNS when either port is 53, as npm pcap does.
 */
import DNS = require('./dns');
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class UDP {
  emitter: Emitter | undefined;
  sport: number | undefined = undefined;
  dport: number | undefined = undefined;
  length: number | undefined = undefined;
  checksum: number | undefined = undefined;
  /** The payload: a view into the packet, valid while the packet is. */
  data: Buffer | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (!(b.length - offset >= 8)) {
      this._error = truncated('UDP header', 8, b.length - offset);
      return this;
    }
    this.sport = u16(b, offset);
    this.dport = u16(b, offset + 2);
    this.length = u16(b, offset + 4);
    this.checksum = u16(b, offset + 6);
    // npm pcap's Buffer#slice: an end before the start gives an empty view.
    this.data = b.subarray(offset + 8, offset + this.length);
    if (this.emitter) this.emitter.emit('udp', this);
    return this;
  }

  /** "UDP 5353->53 len 40", then the DNS message when a port is 53. */
  toString(): string {
    let s = `UDP ${this.sport}->${this.dport} len ${this.length}`;
    if ((this.sport === 53 || this.dport === 53) && this.data) s += String(new DNS().decode(this.data, 0));
    return s;
  }
}
interface UDP { decoderName: string; eventsOnDecode: boolean }
tagDecoder(UDP, 'udp', true);

export = UDP;
