/** Ethernet II / 802.3 and 802.1Q / 802.1ad (QinQ) tags. */
import { byEtherType } from './ethertype';
import { formatMacParts } from './format';
import { DecodeState, fits, i32, limit, P, u16 } from './state';

/** An Ethernet header (14 bytes). */
export interface EthernetLayer {
  readonly kind: 'ethernet';
  readonly offset: number;
  readonly length: number;
  /** Destination MAC, "aa:bb:cc:dd:ee:ff" (formatted when read). */
  readonly dst: string;
  readonly src: string;
  /** The addresses as 48-bit numbers. */
  readonly dstMac: number;
  readonly srcMac: number;
  /** EtherType; 1500 or less it is an 802.3 length and LLC follows. */
  readonly type: number;
}

/** MACs kept as a 16-bit high part and a signed 32-bit low part: small integers V8 stores inline. */
class Ethernet implements EthernetLayer {
  readonly kind = 'ethernet' as const;
  constructor(readonly offset: number, readonly length: number, private readonly dstHi: number, private readonly dstLo: number,
    private readonly srcHi: number, private readonly srcLo: number, readonly type: number) {}
  get dstMac(): number { return this.dstHi * 0x100000000 + (this.dstLo >>> 0); }
  get srcMac(): number { return this.srcHi * 0x100000000 + (this.srcLo >>> 0); }
  get dst(): string { return formatMacParts(this.dstHi, this.dstLo); }
  get src(): string { return formatMacParts(this.srcHi, this.srcLo); }
  /** JSON.stringify shows the formatted addresses, not the storage. */
  toJSON(): object {
    return { kind: this.kind, offset: this.offset, length: this.length, dst: this.dst, src: this.src, type: this.type };
  }
}

export function decodeEthernet(s: DecodeState): void {
  if (!fits(s, 14, 'ethernet')) return;
  const d = s.data;
  const o = s.off;
  const type = u16(d, o + 12);
  s.layers.push(new Ethernet(o, 14, u16(d, o), i32(d, o + 2), u16(d, o + 6), i32(d, o + 8), type));
  s.off = o + 14;
  afterTypeField(s, type);
}

/** One 802.1Q / 802.1ad tag (4 bytes). */
export interface VlanLayer {
  readonly kind: 'vlan';
  readonly offset: number;
  readonly length: number;
  /** The tag protocol identifier that announced this tag (0x8100, 0x88a8, 0x9100, 0x9200). */
  readonly tpid: number;
  /** Priority code point (0-7). */
  readonly pcp: number;
  /** Drop eligible indicator (formerly CFI). */
  readonly dei: boolean;
  /** VLAN id (0-4095). */
  readonly vid: number;
  /** The EtherType (or 802.3 length) that follows. */
  readonly type: number;
}

export function decodeVlan(s: DecodeState): void {
  if (!fits(s, 4, 'vlan')) return;
  const d = s.data;
  const o = s.off;
  const tci = u16(d, o);
  const type = u16(d, o + 2);
  const tpid = o >= 2 ? u16(d, o - 2) : 0;
  const layer: VlanLayer = { kind: 'vlan', offset: o, length: 4, tpid, pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff, type };
  s.layers.push(layer);
  s.off = o + 4;
  afterTypeField(s, type);
}

/**
 * What follows a type/length field (Ethernet's, a VLAN tag's): an EtherType,
 * or, 1500 and below, the length of an 802.3 LLC frame (what is after it is padding).
 */
function afterTypeField(s: DecodeState, type: number): void {
  if (type <= 1500) {
    limit(s, s.off + type);
    s.next = P.LLC;
  } else {
    s.next = byEtherType(type);
  }
}
