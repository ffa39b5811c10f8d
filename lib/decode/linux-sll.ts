/** Linux "cooked" capture headers: SLL (DLT_LINUX_SLL, 16 bytes) and SLL2 (DLT_LINUX_SLL2, 20 bytes). */
import { byEtherType } from './ethertype';
import { formatHex } from './format';
import { DecodeState, fits, P, u16, u32, type Proto } from './state';

/** Fields both versions share. */
interface CookedFields {
  readonly offset: number;
  readonly length: number;
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  readonly packetType: number;
  /** ARPHRD_* type of the device (1 Ethernet, 772 loopback, 65534 none, ...). */
  readonly hatype: number;
  /** Length of the link-layer address (only the first 8 bytes are in the header). */
  readonly halen: number;
  /** The link-layer source address, colon-separated hex (formatted when read). */
  readonly address: string;
  /** The protocol: an EtherType, or 1 (802.3 without LLC), 4 (802.2 LLC), ... */
  readonly protocol: number;
}

export interface SllLayer extends CookedFields { readonly kind: 'sll' }
export interface Sll2Layer extends CookedFields {
  readonly kind: 'sll2';
  readonly ifindex: number;
}

class Sll implements SllLayer {
  readonly kind = 'sll' as const;
  constructor(readonly offset: number, readonly length: number, readonly packetType: number, readonly hatype: number,
    readonly halen: number, private readonly addrHi: number, private readonly addrLo: number, readonly protocol: number) {}
  get address(): string { return formatAddress(this.addrHi, this.addrLo, this.halen); }
  /** JSON.stringify shows the formatted address, not the storage. */
  toJSON(): object {
    const { kind, offset, length, packetType, hatype, halen, address, protocol } = this;
    return { kind, offset, length, packetType, hatype, halen, address, protocol };
  }
}

class Sll2 implements Sll2Layer {
  readonly kind = 'sll2' as const;
  constructor(readonly offset: number, readonly length: number, readonly packetType: number, readonly hatype: number,
    readonly halen: number, private readonly addrHi: number, private readonly addrLo: number, readonly protocol: number,
    readonly ifindex: number) {}
  get address(): string { return formatAddress(this.addrHi, this.addrLo, this.halen); }
  /** JSON.stringify shows the formatted address, not the storage. */
  toJSON(): object {
    const { kind, offset, length, packetType, hatype, halen, address, protocol, ifindex } = this;
    return { kind, offset, length, packetType, hatype, halen, address, protocol, ifindex };
  }
}

function formatAddress(hi: number, lo: number, halen: number): string {
  const b = new Uint8Array(8);
  b[0] = hi >>> 24; b[1] = hi >>> 16; b[2] = hi >>> 8; b[3] = hi; b[4] = lo >>> 24; b[5] = lo >>> 16; b[6] = lo >>> 8; b[7] = lo;
  return formatHex(b, 0, Math.min(halen, 8));
}

/** What the protocol field leads to (linux/if_ether.h ETH_P_802_3 = 1, ETH_P_802_2 = 4). */
function next(protocol: number, hatype: number): Proto {
  if (hatype === 824) return P.PAYLOAD; // netlink: the protocol field is a netlink family
  if (protocol === 4) return P.LLC;
  if (protocol < 0x0600) return P.PAYLOAD;
  return byEtherType(protocol);
}

export function decodeSll(s: DecodeState): void {
  if (!fits(s, 16, 'sll')) return;
  const d = s.data;
  const o = s.off;
  const hatype = u16(d, o + 2);
  const protocol = u16(d, o + 14);
  s.layers.push(new Sll(o, 16, u16(d, o), hatype, u16(d, o + 4), u32(d, o + 6), u32(d, o + 10), protocol));
  s.off = o + 16;
  s.next = next(protocol, hatype);
}

export function decodeSll2(s: DecodeState): void {
  if (!fits(s, 20, 'sll2')) return;
  const d = s.data;
  const o = s.off;
  const protocol = u16(d, o);
  const hatype = u16(d, o + 8);
  s.layers.push(new Sll2(o, 20, d[o + 10], hatype, d[o + 11], u32(d, o + 12), u32(d, o + 16), protocol, u32(d, o + 4)));
  s.off = o + 20;
  s.next = next(protocol, hatype);
}
