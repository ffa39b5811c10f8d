/** npm pcap's `pcap/decode/ieee802.11/radio_beacon_frame`: a beacon's tagged parameters. */
import { parseTags } from './radio_utils';
import type RadioManagementFrameTag = require('./radio_management_frame_tag');
import type { Bytes } from '../../../pcap-internal/decoder';

/** Timestamp (8), beacon interval (2), capability info (2), then tags. */
const FIXED_FIELDS = 12;

class RadioBeaconFrame {
  tags: RadioManagementFrameTag[] = [];

  decode(raw_packet: Bytes, offset: number): this {
    this.tags = parseTags(raw_packet, offset + FIXED_FIELDS);
    return this;
  }
}

export = RadioBeaconFrame;
