/**
 * npm pcap's `pcap/decode/ieee802.11/radio_management_frame_tag`: one
 * tagged parameter (id, length, value) of an 802.11 management frame.
 */
import type { Bytes } from '../../../pcap-internal/decoder';

const TAG_TYPES: Record<number, string> = {
  0: 'ssid', 1: 'rates', 3: 'channel', 5: 'TIM', 42: 'ERP', 48: 'RSN', 50: 'extended_rates', 221: 'vendor_specific',
};

class RadioMangementFrameTag {
  /** "ssid", "rates", "channel", ... or "unknown". */
  type: string | undefined = undefined;
  typeId: number | undefined = undefined;
  length: number | undefined = undefined;
  /** The value bytes: a view into the packet. */
  value: Buffer | undefined = undefined;
  /** The network name (tag 0 only). */
  declare ssid?: string;
  /** The channel number (tag 3 only). */
  declare channel?: number;

  decode(raw_packet: Bytes, offset: number): this {
    this.typeId = raw_packet[offset];
    const length = raw_packet[offset + 1];
    this.length = length;
    this.value = raw_packet.subarray(offset + 2, offset + 2 + length);
    this.type = TAG_TYPES[this.typeId] ?? 'unknown';
    if (this.typeId === 0) this.ssid = this.value.toString('utf8', 0, length);
    else if (this.typeId === 3) this.channel = raw_packet[offset + 2];
    return this;
  }
}

export = RadioMangementFrameTag;
