/** cap's `decoders.ARP(buf[, offset])`. */
import { dotted, hexBytes, markTruncated, startOf, u16, u8 } from './read';

export interface ARPInfo {
  /** Hardware type (1: Ethernet). */
  hardwareaddr: number | undefined;
  /** Protocol type (0x0800: IPv4). */
  protocol: number | undefined;
  /** Hardware address length (cap's name). */
  hdrlen: number | undefined;
  /** Protocol address length. */
  protlen: number | undefined;
  opcode: number | undefined;
  /** The four addresses are filled only for Ethernet/IPv4 (lengths 6 and 4). */
  sendermac: string;
  senderip: string;
  targetmac: string;
  targetip: string;
}

export interface ARPResult {
  info: ARPInfo;
  /** After the addresses (after the fixed 8 bytes when they are not Ethernet/IPv4). */
  offset: number;
  truncated?: boolean;
}

const FIXED = 8;

/** Decode the ARP message at `offset` (default 0). */
export function ARP(b: Buffer | Uint8Array, offset?: number): ARPResult {
  let o = startOf(b, offset);
  const info: ARPInfo = {
    hardwareaddr: u16(b, o),
    protocol: u16(b, o + 2),
    hdrlen: u8(b, o + 4),
    protlen: u8(b, o + 5),
    opcode: u16(b, o + 6),
    sendermac: '',
    senderip: '',
    targetmac: '',
    targetip: '',
  };
  o += FIXED;
  if (info.hdrlen === 6 && info.protlen === 4) {
    info.sendermac = hexBytes(b, o, 6);
    info.senderip = dotted(b, o + 6);
    info.targetmac = hexBytes(b, o + 10, 6);
    info.targetip = dotted(b, o + 16);
    o += 20;
  }
  return markTruncated({ info, offset: o }, b, o);
}
