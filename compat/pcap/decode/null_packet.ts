/**
 * npm pcap's `pcap/decode/null_packet`: BSD loopback (DLT_NULL). The 4-byte
 * address family is in host byte order, so the family byte is read from
 * whichever end is non-zero; 2 is IPv4, 30 IPv6 (npm pcap knows these two).
 */
import { IPv4, IPv6 } from '../../pcap-internal/ip';
import { tagDecoder } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

class NullPacket {
  emitter: Emitter | undefined;
  pftype: number | undefined = undefined;
  payload: IPv4 | IPv6 | undefined = undefined;
  _error: string | undefined = undefined;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    this.pftype = b[offset] === 0 && b[offset + 1] === 0 ? b[offset + 3] : b[offset];
    if (this.pftype === 2) this.payload = new IPv4(this.emitter).decode(b, offset + 4);
    else if (this.pftype === 30) this.payload = new IPv6(this.emitter).decode(b, offset + 4);
    else this._error = `unknown protocol family ${this.pftype}`;
    return this;
  }

  toString(): string {
    return `${this.pftype} ${this.payload}`;
  }
}
interface NullPacket { decoderName: string; eventsOnDecode: boolean }
tagDecoder(NullPacket, 'null-packet', false);

export = NullPacket;
