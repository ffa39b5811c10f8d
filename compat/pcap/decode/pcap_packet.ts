/**
 * npm pcap's `pcap/decode/pcap_packet`: the top of every decode: the
 * 16-byte record header and the link layer named by `link_type`.
 *
 * Differences from npm pcap 3.1.0: a link type it cannot decode leaves
 * `payload` null without printing to the console; a header shorter than
 * 16 bytes gives `_error` instead of a RangeError. When `buf` is exactly
 * `caplen` long (as this library's sessions hand it out) it is used as it
 * is, with no slice.
 */
import EthernetPacket = require('./ethernet_packet');
import NullPacket = require('./null_packet');
import SLLPacket = require('./sll_packet');
import RadioPacket = require('./ieee802.11/radio_packet');
import { IPv4 } from '../../pcap-internal/ip';
import { truncated } from '../../pcap-internal/decoder';
import type { Emitter } from '../../pcap-internal/decoder';
import type { DecodeOptions, PacketWithHeader } from '../../pcap-internal/types';

const le32 = (b: Buffer, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/** The pcap record header, unpacked. */
class PcapHeader {
  tv_sec: number;
  tv_usec: number;
  caplen: number;
  len: number;

  constructor(raw_header: Buffer) {
    this.tv_sec = le32(raw_header, 0);
    this.tv_usec = le32(raw_header, 4);
    this.caplen = le32(raw_header, 8);
    this.len = le32(raw_header, 12);
  }
}

type LinkPayload = EthernetPacket | NullPacket | IPv4 | RadioPacket | SLLPacket;

class PcapPacket {
  link_type: string | null = null;
  pcap_header: PcapHeader | null = null;
  payload: LinkPayload | null = null;
  emitter: Emitter | undefined;
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(packet_with_header: PacketWithHeader, options?: DecodeOptions): this {
    const { header, buf: raw } = packet_with_header;
    this.link_type = packet_with_header.link_type;
    if (!(header.length >= 16)) {
      this._error = truncated('pcap record header', 16, header.length);
      return this;
    }
    const pcap_header = new PcapHeader(header);
    this.pcap_header = pcap_header;
    const buf = raw.length === pcap_header.caplen ? raw : raw.subarray(0, pcap_header.caplen);
    switch (this.link_type) {
      case 'LINKTYPE_ETHERNET': this.payload = new EthernetPacket(this.emitter).decode(buf, 0); break;
      case 'LINKTYPE_NULL': this.payload = new NullPacket(this.emitter).decode(buf, 0); break;
      case 'LINKTYPE_RAW': this.payload = new IPv4(this.emitter).decode(buf, 0); break;
      case 'LINKTYPE_IEEE802_11_RADIO': this.payload = new RadioPacket(this.emitter).decode(buf, 0, options); break;
      case 'LINKTYPE_LINUX_SLL': this.payload = new SLLPacket(this.emitter).decode(buf, 0); break;
      default: break;
    }
    return this;
  }

  /** "LINKTYPE_ETHERNET <frame>". */
  toString(): string {
    return `${this.link_type} ${this.payload}`;
  }
}

export = PcapPacket;
