/** npm pcap's `pcap/decode/igmp`: IGMP type, version (from the type), group. */
import IPv4Addr = require('./ipv4_addr');
import { tagDecoder, truncated, u16 } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

/** Type to IGMP version: query (0x11) and v3 report (0x22) are 3, 0x12 is 1, 0x16/0x17 are 2. */
const VERSION: Record<number, number> = { 0x11: 3, 0x12: 1, 0x16: 2, 0x17: 2, 0x22: 3 };
const NAME: Record<number, string> = {
  0x11: 'Membership Query', 0x12: 'Membership Report', 0x16: 'Membership Report',
  0x17: 'Leave Group', 0x22: 'Membership Report',
};

class IGMP {
  emitter: Emitter | undefined;
  type: number | undefined = undefined;
  version: number | undefined = undefined;
  /** In tenths of a second (the floating-point encoding above 127 is not decoded). */
  maxResponseTime: number | undefined = undefined;
  checksum: number | undefined = undefined;
  groupAddress: IPv4Addr | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    if (!(raw_packet.length - offset >= 4)) {
      this._error = truncated('IGMP header', 4, raw_packet.length - offset);
      return this;
    }
    this.type = raw_packet[offset];
    this.maxResponseTime = raw_packet[offset + 1];
    this.checksum = u16(raw_packet, offset + 2);
    this.groupAddress = new IPv4Addr().decode(raw_packet, offset + 4);
    if (this.type in VERSION) this.version = VERSION[this.type];
    if (this.emitter) this.emitter.emit('igmp', this);
    return this;
  }

  toString(): string {
    return NAME[this.type as number] ?? `type ${this.type}`;
  }
}
interface IGMP { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IGMP, 'igmp', true);

export = IGMP;
