/**
 * npm pcap's `pcap/decode/ieee802.11/radio_frame`: the 802.11 MAC header,
 * then beacon and probe-request tags, or the LLC of an unencrypted data
 * frame. Emits 'radio-frame'.
 *
 * Field names and byte orders are npm pcap's (the three addresses are
 * called bssid, shost, dhost in header order; duration and fragSeq are read
 * big-endian). A frame shorter than 24 bytes gets `_error` (npm pcap throws
 * a string).
 */
import EthernetAddr = require('../ethernet_addr');
import LogicalLinkControl = require('../llc_packet');
import RadioBeaconFrame = require('./radio_beacon_frame');
import RadioProbeFrame = require('./radio_probe_frame');
import { truncated, u16 } from '../../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../../pcap-internal/decoder';

const MAC_HEADER = 24;

class RadioFrameFlags {
  emitter: Emitter | undefined = undefined;
  raw: number | undefined = undefined;
  moreFragments: boolean | undefined = undefined;
  isRetry: boolean | undefined = undefined;
  moreData: boolean | undefined = undefined;
  encrypted: boolean | undefined = undefined;
  ordered: boolean | undefined = undefined;

  /** `flags`: the second byte of the frame control field. */
  decode(flags: number): this {
    this.raw = flags;
    this.moreFragments = ((flags >> 2) & 1) !== 0;
    this.isRetry = ((flags >> 3) & 1) !== 0;
    this.moreData = ((flags >> 5) & 1) !== 0;
    this.encrypted = ((flags >> 6) & 1) !== 0;
    this.ordered = ((flags >> 7) & 1) !== 0;
    return this;
  }
}

class RadioFrame {
  emitter: Emitter | undefined;
  frameControl: number | undefined = undefined;
  version: number | undefined = undefined;
  /** 0 management, 1 control, 2 data. */
  type: number | undefined = undefined;
  subType: number | undefined = undefined;
  flags: RadioFrameFlags | undefined = undefined;
  duration: number | undefined = undefined;
  bssid: EthernetAddr | undefined = undefined;
  shost: EthernetAddr | undefined = undefined;
  dhost: EthernetAddr | undefined = undefined;
  fragSeq: number | undefined = undefined;
  beacon: RadioBeaconFrame | undefined = undefined;
  llc: LogicalLinkControl | undefined = undefined;
  /** Probe requests only. */
  declare probe?: RadioProbeFrame;
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (!(b.length - offset >= MAC_HEADER)) {
      this._error = truncated('802.11 header', MAC_HEADER, b.length - offset);
      return this;
    }
    const fc = b[offset] | (b[offset + 1] << 8);
    this.frameControl = fc;
    this.version = fc & 3;
    this.type = (fc >> 2) & 3;
    this.subType = (fc >> 4) & 0xf;
    this.flags = new RadioFrameFlags().decode((fc >> 8) & 0xff);
    this.duration = u16(b, offset + 2);
    this.bssid = new EthernetAddr(b, offset + 4);
    this.shost = new EthernetAddr(b, offset + 10);
    this.dhost = new EthernetAddr(b, offset + 16);
    this.fragSeq = u16(b, offset + 22);
    const body = offset + MAC_HEADER;
    if (this.type === 0) {
      if (this.subType === 4) this.probe = new RadioProbeFrame().decode(b, body);
      else if (this.subType === 8) this.beacon = new RadioBeaconFrame().decode(b, body);
    } else if (this.type === 2 && !this.flags.encrypted) {
      this.llc = new LogicalLinkControl(this.emitter).decode(b, body);
    }
    if (this.emitter) this.emitter.emit('radio-frame', this);
    return this;
  }
}

export = RadioFrame;
