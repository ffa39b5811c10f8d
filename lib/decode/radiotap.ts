/**
 * Radiotap (radiotap.org): the present bitmaps (extended ones included)
 * and the common fields of the first bitmap, each read at its natural
 * alignment from the start of the header.
 */
import { DecodeState, fail, fits, limit, P, u16le, u32le } from './state';

export interface RadiotapLayer {
  readonly kind: 'radiotap';
  readonly offset: number;
  /** The header length field: the whole radiotap header. */
  readonly length: number;
  readonly version: number;
  /** Every present bitmap word, in order (bit 31 of each but the last is set). */
  readonly present: readonly number[];
  /** Microseconds of the MAC's 64-bit timer (exact below 2^53). */
  readonly tsft?: number;
  /** 0x01 CFP, 0x02 short preamble, 0x04 WEP, 0x08 fragmentation, 0x10 FCS at end, 0x20 data pad, 0x40 bad FCS, 0x80 short GI. */
  readonly flags?: number;
  /** Legacy rate in Mb/s. */
  readonly rate?: number;
  readonly channelFrequency?: number;
  readonly channelFlags?: number;
  readonly fhss?: number;
  readonly dbmAntennaSignal?: number;
  readonly dbmAntennaNoise?: number;
  readonly lockQuality?: number;
  readonly antenna?: number;
  readonly dbAntennaSignal?: number;
  readonly dbAntennaNoise?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** [alignment, size] of fields 0..13 of the first bitmap; decoding of fields stops after these. */
const FIELDS: ReadonlyArray<readonly [number, number]> = [
  [8, 8], [1, 1], [1, 1], [2, 4], [1, 2], [1, 1], [1, 1], [2, 2], [2, 2], [2, 2], [1, 1], [1, 1], [1, 1], [1, 1],
];
/** At most this many bitmap words (more is certainly malformed). */
const MAX_WORDS = 16;
const s8 = (v: number): number => (v << 24) >> 24;

export function decodeRadiotap(s: DecodeState): void {
  if (!fits(s, 8, 'radiotap')) return;
  const d = s.data;
  const o = s.off;
  const version = d[o];
  const len = u16le(d, o + 2);
  if (version !== 0) return fail(s, `radiotap: version ${version} is not 0, the only one defined`);
  if (len < 8) return fail(s, `radiotap: header length ${len} is below the minimum 8`);
  if (!fits(s, len, 'radiotap')) return;
  const present: number[] = [];
  let at = o + 4;
  for (;;) {
    if (at + 4 > o + len) return fail(s, `radiotap: present bitmaps run past the header length ${len}`);
    const w = u32le(d, at);
    present.push(w);
    at += 4;
    if ((w & 0x80000000) === 0) break;
    if (present.length >= MAX_WORDS) return fail(s, `radiotap: more than ${MAX_WORDS} present bitmaps`);
  }
  const l: Mutable<RadiotapLayer> = { kind: 'radiotap', offset: o, length: len, version, present };
  s.layers.push(l);
  const word = present[0];
  for (let bit = 0; bit < FIELDS.length; bit++) {
    if ((word & (1 << bit)) === 0) continue;
    const [align, size] = FIELDS[bit];
    at = o + Math.ceil((at - o) / align) * align;
    if (at + size > o + len) return fail(s, `radiotap: field ${bit} at offset ${at} runs past the header length ${len}`);
    switch (bit) {
      case 0: l.tsft = u32le(d, at + 4) * 0x100000000 + u32le(d, at); break;
      case 1: l.flags = d[at]; break;
      case 2: l.rate = d[at] / 2; break;
      case 3: l.channelFrequency = u16le(d, at); l.channelFlags = u16le(d, at + 2); break;
      case 4: l.fhss = u16le(d, at); break;
      case 5: l.dbmAntennaSignal = s8(d[at]); break;
      case 6: l.dbmAntennaNoise = s8(d[at]); break;
      case 7: l.lockQuality = u16le(d, at); break;
      case 11: l.antenna = d[at]; break;
      case 12: l.dbAntennaSignal = d[at]; break;
      case 13: l.dbAntennaNoise = d[at]; break;
      default: // TX attenuation and power: skipped
    }
    at += size;
  }
  s.off = o + len;
  // The frame check sequence at the end is not part of the 802.11 frame.
  if (l.flags !== undefined && (l.flags & 0x10) !== 0 && s.end - s.off >= 4) {
    if (s.end === d.length) limit(s, s.end - 4);
  }
  s.next = P.IEEE80211;
}
