/** npm pcap's `pcap/decode/ieee802.11/radio_utils`: helpers for 802.11 frames. */
import RadioManagementFrameTag = require('./radio_management_frame_tag');
import type { Bytes } from '../../../pcap-internal/decoder';

/**
 * The tagged parameters from `offset` on. As in npm pcap, parsing stops
 * when fewer than 6 bytes are left (which skips a 4-byte FCS).
 */
export function parseTags(raw_packet: Bytes, offset: number): RadioManagementFrameTag[] {
  const tags: RadioManagementFrameTag[] = [];
  let at = offset;
  while (raw_packet.length - at >= 6) {
    const tag = new RadioManagementFrameTag().decode(raw_packet, at);
    tags.push(tag);
    at += (tag.length as number) + 2;
  }
  return tags;
}
