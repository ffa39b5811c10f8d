/**
 * cap's `decoders.Ethernet(buf[, offset])`: Ethernet II / 802.3 header, with
 * one 802.1Q tag.
 */
import { hexBytes, markTruncated, startOf, u16 } from './read';

/** 802.1Q tag control information, as cap names it. */
export interface VlanInfo {
  /** Priority code point (PCP), 0-7. cap 0.2.1 always gave 0 here (it shifted by 31). */
  priority: number;
  /** Drop eligible / canonical format indicator bit. */
  CFI: boolean;
  /** VLAN id, 0-4095. */
  VID: number;
}

export interface EthernetInfo {
  dstmac: string;
  srcmac: string;
  /** EtherType (values >= 1536); undefined for an 802.3 length. */
  type: number | undefined;
  vlan: VlanInfo | undefined;
  /** 802.3 payload length (values <= 1500); undefined for an EtherType. */
  length: number | undefined;
}

export interface EthernetResult {
  info: EthernetInfo;
  /** Where the payload starts. */
  offset: number;
  /** Present (true) only when the header runs past the end of the buffer. */
  truncated?: boolean;
}

const TPID_8021Q = 0x8100;

/** Decode the Ethernet header at `offset` (default 0); `offset` in the result is the payload's. */
export function Ethernet(b: Buffer | Uint8Array, offset?: number): EthernetResult {
  let o = startOf(b, offset);
  const info: EthernetInfo = {
    dstmac: hexBytes(b, o, 6),
    srcmac: hexBytes(b, o + 6, 6),
    type: undefined,
    vlan: undefined,
    length: undefined,
  };
  o += 12;
  if (u16(b, o) === TPID_8021Q) {
    o += 2;
    const tci = u16(b, o);
    if (tci !== undefined) info.vlan = { priority: tci >> 13, CFI: (tci & 0x1000) !== 0, VID: tci & 0x0fff };
    o += 2;
  }
  // Type/length: <= 1500 is an 802.3 length, >= 1536 an EtherType, and
  // 1501-1535 is neither (cap leaves both undefined).
  const typelen = u16(b, o);
  if (typelen !== undefined && typelen <= 1500) info.length = typelen;
  else if (typelen !== undefined && typelen >= 1536) info.type = typelen;
  return markTruncated({ info, offset: o + 2 }, b, o + 2);
}
