/** IEEE 802.11 MAC headers: frame control, addresses, sequence, QoS. Data frames continue into LLC. */
import { formatMac } from './format';
import { DecodeState, fits, P, u16le, u48 } from './state';

export interface Ieee80211Layer {
  readonly kind: 'ieee80211';
  readonly offset: number;
  /** Header bytes (24 for most management and data frames, 10 or 16 for control frames, +6 addr4, +2 QoS, +4 HT control). */
  readonly length: number;
  /** The frame control field as a little-endian 16-bit number. */
  readonly frameControl: number;
  /** 0 management, 1 control, 2 data, 3 extension. */
  readonly type: number;
  readonly subtype: number;
  readonly toDS: boolean;
  readonly fromDS: boolean;
  readonly moreFragments: boolean;
  readonly retry: boolean;
  readonly powerManagement: boolean;
  readonly moreData: boolean;
  readonly protected: boolean;
  readonly order: boolean;
  /** Duration / ID. */
  readonly duration: number;
  /** Receiver, transmitter, and the two others; present as the frame type has them. */
  readonly addr1: string;
  readonly addr2?: string;
  readonly addr3?: string;
  readonly addr4?: string;
  /** Management and data frames. */
  readonly seq?: number;
  readonly fragment?: number;
  /** QoS data frames: the QoS control field; tid = qos & 15. */
  readonly qos?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const mac = (d: Uint8Array, at: number): string => formatMac(u48(d, at));

export function decodeIeee80211(s: DecodeState): void {
  if (!fits(s, 10, 'ieee80211')) return;
  const d = s.data;
  const o = s.off;
  const fc = u16le(d, o);
  const type = (fc >>> 2) & 3;
  const subtype = (fc >>> 4) & 15;
  const flags = fc >>> 8;
  const l: Mutable<Ieee80211Layer> = {
    kind: 'ieee80211', offset: o, length: 10, frameControl: fc, type, subtype,
    toDS: (flags & 1) !== 0, fromDS: (flags & 2) !== 0, moreFragments: (flags & 4) !== 0, retry: (flags & 8) !== 0,
    powerManagement: (flags & 0x10) !== 0, moreData: (flags & 0x20) !== 0, protected: (flags & 0x40) !== 0,
    order: (flags & 0x80) !== 0, duration: u16le(d, o + 2), addr1: mac(d, o + 4),
  };
  s.next = P.PAYLOAD;
  if (type === 1) {
    // Control: CTS (12) and ACK (13) carry one address; the others two.
    if (subtype !== 12 && subtype !== 13) {
      if (!fits(s, 16, 'ieee80211')) return pushed(s, l);
      l.addr2 = mac(d, o + 10);
      l.length = 16;
    }
    return pushed(s, l);
  }
  if (type === 3) return pushed(s, l);
  let len = 24;
  if (!fits(s, 24, 'ieee80211')) return pushed(s, l);
  l.addr2 = mac(d, o + 10);
  l.addr3 = mac(d, o + 16);
  const sc = u16le(d, o + 22);
  l.seq = sc >>> 4;
  l.fragment = sc & 15;
  l.length = 24;
  if (type === 2 && l.toDS && l.fromDS) {
    if (!fits(s, len + 6, 'ieee80211')) return pushed(s, l);
    l.addr4 = mac(d, o + len);
    len += 6;
  }
  const qos = type === 2 && (subtype & 8) !== 0;
  if (qos) {
    if (!fits(s, len + 2, 'ieee80211')) return pushed(s, l);
    l.qos = u16le(d, o + len);
    len += 2;
  }
  // HT control: management frames and QoS data frames with the order bit.
  if (l.order && (type === 0 || qos)) {
    if (!fits(s, len + 4, 'ieee80211')) return pushed(s, l);
    len += 4;
  }
  l.length = len;
  pushed(s, l);
  // Data frames that carry data (not null / CF-only), are not encrypted and
  // are not A-MSDUs (QoS bit 7: subframes with headers of their own): LLC follows.
  if (type === 2 && (subtype & 4) === 0 && !l.protected && ((l.qos ?? 0) & 0x80) === 0) s.next = P.LLC;
}

function pushed(s: DecodeState, l: Ieee80211Layer): void {
  s.layers.push(l);
  if (s.error === undefined) s.off = l.offset + l.length;
}
