/**
 * npm pcap's `pcap/decode/udp`. The payload is left raw in `data`;
 * toString() decodes it as DNS when either port is 53, as npm pcap does.
 */
import DNS = require('./dns');
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import { fieldsWith, inspectSymbol, ownView, viewOf } from '../../pcap-internal/show';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class UDP {
  emitter: Emitter | undefined;
  sport: number | undefined = undefined;
  dport: number | undefined = undefined;
  length: number | undefined = undefined;
  checksum: number | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  /** What data is built from, on first use (a Buffer view costs more than the header). */
  #raw: Buffer | undefined = undefined;
  #dataAt = 0;
  #data: Buffer | undefined = undefined;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  /** The payload: a view into the packet (no copy), valid while the packet's buffer is. */
  get data(): Buffer | undefined {
    if (this.#data === undefined && this.#raw !== undefined) {
      this.#data = viewOf(this.#raw, this.#dataAt, this.#dataAt - 8 + (this.length as number));
    }
    return this.#data;
  }

  set data(value: Buffer | undefined) {
    this.#data = value;
    this.#raw = undefined;
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
    // Built on first use; npm pcap's Buffer#slice: an end before the start gives an empty view.
    this.#raw = b;
    this.#dataAt = offset + 8;
    this.#data = undefined;
    if (this.emitter) this.emitter.emit('udp', this);
    return this;
  }

  toJSON(): Record<string, unknown> {
    return fieldsWith(this, [['checksum', 'data', this.data]]);
  }

  [inspectSymbol](): object {
    return ownView(this, fieldsWith(this, [['checksum', 'data', this.data]]));
  }

  /** "UDP 5353->53 len 40", then the DNS message when a port is 53. */
  toString(): string {
    let s = `UDP ${this.sport}->${this.dport} len ${this.length}`;
    const data = this.data;
    if ((this.sport === 53 || this.dport === 53) && data) s += String(new DNS().decode(data, 0));
    return s;
  }
}
interface UDP { decoderName: string; eventsOnDecode: boolean }
tagDecoder(UDP, 'udp', true);

export = UDP;
