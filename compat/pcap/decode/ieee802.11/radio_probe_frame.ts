/** npm pcap's `pcap/decode/ieee802.11/radio_probe_frame`: a probe request's tagged parameters. */
import { parseTags } from './radio_utils';
import type RadioManagementFrameTag = require('./radio_management_frame_tag');
import type { Bytes } from '../../../pcap-internal/decoder';

class RadioProbeFrame {
  tags: RadioManagementFrameTag[] | undefined = undefined;

  decode(raw_packet: Bytes, offset: number): this {
    this.tags = parseTags(raw_packet, offset);
    return this;
  }
}

export = RadioProbeFrame;
