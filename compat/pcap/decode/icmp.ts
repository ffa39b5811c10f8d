/** npm pcap's `pcap/decode/icmp`: ICMP (v4) type, code and checksum. */
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

const UNREACHABLE = [
  'Destination Network Unreachable', 'Destination Host Unreachable', 'Destination Protocol Unreachable',
  'Destination Port Unreachable', 'Fragmentation required, and DF flag set', 'Source route failed',
  'Destination network unknown', 'Destination host unknown', 'Source host isolated',
  'Network administratively prohibited', 'Host administratively prohibited',
  'Network unreachable for TOS', 'Host unreachable for TOS', 'Communication administratively prohibited',
];
const REDIRECT = ['Redirect Network', 'Redirect Host', 'Redirect TOS and Network', 'Redirect TOS and Host'];
const TIME_EXCEEDED = ['TTL expired in transit', 'Fragment reassembly time exceeded'];
/** Types whose text does not depend on the code. */
const BY_TYPE: Record<number, string> = {
  0: 'Echo Reply', 4: 'Source Quench', 6: 'Alternate Host Address', 7: 'Reserved', 8: 'Echo Request',
  9: 'Router Advertisement', 10: 'Router Solicitation',
};

class ICMP {
  emitter: Emitter | undefined;
  type: number | undefined = undefined;
  code: number | undefined = undefined;
  checksum: number | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    if (!(raw_packet.length - offset >= 4)) {
      this._error = truncated('ICMP header', 4, raw_packet.length - offset);
      return this;
    }
    this.type = raw_packet[offset];
    this.code = raw_packet[offset + 1];
    this.checksum = u16(raw_packet, offset + 2);
    if (this.emitter) this.emitter.emit('icmp', this);
    return this;
  }

  /** The message's name, e.g. "Echo Request" or "Destination Port Unreachable". */
  toString(): string {
    const type = this.type as number;
    const code = this.code as number;
    switch (type) {
      case 3: return UNREACHABLE[code] ?? `Destination Unreachable (unknown code ${code})`;
      case 5: return REDIRECT[code] ?? `Redirect (unknown code ${code})`;
      case 11: return TIME_EXCEEDED[code] ?? `Time Exceeded (unknown code ${code})`;
      default: return BY_TYPE[type] ?? `type ${type} code ${code}`;
    }
  }
}
interface ICMP { decoderName: string; eventsOnDecode: boolean }
tagDecoder(ICMP, 'icmp', true);

export = ICMP;
