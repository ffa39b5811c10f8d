/** npm pcap's `pcap/decode/vlan`: an 802.1Q tag's TCI (priority, CFI, VLAN id). */
import { tagDecoder } from '../../pcap-internal/decoder';
import type { Bytes } from '../../pcap-internal/decoder';

class Vlan {
  priority: number | null = null;
  canonical_format: number | null = null;
  id: number | null = null;

  /** Reads the two TCI bytes at `offset` (after the 0x8100 TPID). */
  decode(raw_packet: Bytes, offset: number): this {
    const hi = raw_packet[offset];
    this.priority = (hi & 0xe0) >> 5;
    this.canonical_format = (hi & 0x10) >> 4;
    this.id = ((hi & 0x0f) << 8) | raw_packet[offset + 1];
    return this;
  }

  toString(): string {
    return `${this.priority} ${this.canonical_format} ${this.id}`;
  }
}
interface Vlan { decoderName: string; eventsOnDecode: boolean }
tagDecoder(Vlan, 'vlan', false);

export = Vlan;
