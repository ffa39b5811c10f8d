/** IEEE 802.2 LLC and the SNAP extension that carries an EtherType. */
import { byEtherType } from './ethertype';
import { DecodeState, fits, P, u16 } from './state';

export interface LlcLayer {
  readonly kind: 'llc';
  readonly offset: number;
  /** 3 (U frames) or 4 (I and S frames). */
  readonly length: number;
  readonly dsap: number;
  readonly ssap: number;
  /** The control field: one byte for U frames; for I/S frames both bytes, the first one high. */
  readonly control: number;
}

export function decodeLlc(s: DecodeState): void {
  if (!fits(s, 3, 'llc')) return;
  const d = s.data;
  const o = s.off;
  const dsap = d[o];
  const ssap = d[o + 1];
  const c0 = d[o + 2];
  const unnumbered = (c0 & 3) === 3;
  if (!unnumbered && !fits(s, 4, 'llc')) return;
  const length = unnumbered ? 3 : 4;
  const layer: LlcLayer = { kind: 'llc', offset: o, length, dsap, ssap, control: unnumbered ? c0 : u16(d, o + 2) };
  s.layers.push(layer);
  s.off = o + length;
  s.next = dsap === 0xaa && ssap === 0xaa && unnumbered ? P.SNAP : P.PAYLOAD;
}

export interface SnapLayer {
  readonly kind: 'snap';
  readonly offset: number;
  readonly length: number;
  /** Organisation code; 0 (and Apple's 0x0000f8) means `type` is an EtherType. */
  readonly oui: number;
  readonly type: number;
}

export function decodeSnap(s: DecodeState): void {
  if (!fits(s, 5, 'snap')) return;
  const d = s.data;
  const o = s.off;
  const oui = (d[o] << 16) | (d[o + 1] << 8) | d[o + 2];
  const type = u16(d, o + 3);
  const layer: SnapLayer = { kind: 'snap', offset: o, length: 5, oui, type };
  s.layers.push(layer);
  s.off = o + 5;
  s.next = oui === 0 || oui === 0xf8 ? byEtherType(type) : P.PAYLOAD;
}
