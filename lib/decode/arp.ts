/** ARP and RARP (RFC 826). */
import { formatHex, formatIPv4 } from './format';
import { DecodeState, fits, P, u16, u32 } from './state';

export interface ArpLayer {
  readonly kind: 'arp';
  readonly offset: number;
  readonly length: number;
  /** Hardware type (1: Ethernet). */
  readonly htype: number;
  /** Protocol type (0x0800: IPv4). */
  readonly ptype: number;
  readonly hlen: number;
  readonly plen: number;
  /** 1 request, 2 reply, 3/4 RARP request/reply, 8/9 InARP. */
  readonly op: number;
  /** Addresses: IPv4 dotted quads when ptype is IPv4 with 4-byte addresses; else colon-separated hex. */
  readonly senderHw: string;
  readonly senderProto: string;
  readonly targetHw: string;
  readonly targetProto: string;
}

export function decodeArp(s: DecodeState): void {
  if (!fits(s, 8, 'arp')) return;
  const d = s.data;
  const o = s.off;
  const hlen = d[o + 4];
  const plen = d[o + 5];
  const length = 8 + 2 * (hlen + plen);
  if (!fits(s, length, 'arp')) return;
  const ptype = u16(d, o + 2);
  const ipv4 = ptype === 0x0800 && plen === 4;
  const proto = (at: number): string => (ipv4 ? formatIPv4(u32(d, at)) : formatHex(d, at, at + plen));
  const sha = o + 8;
  const spa = sha + hlen;
  const tha = spa + plen;
  const tpa = tha + hlen;
  const layer: ArpLayer = {
    kind: 'arp', offset: o, length, htype: u16(d, o), ptype, hlen, plen, op: u16(d, o + 6),
    senderHw: formatHex(d, sha, spa), senderProto: proto(spa), targetHw: formatHex(d, tha, tpa), targetProto: proto(tpa),
  };
  s.layers.push(layer);
  s.off = o + length;
  s.next = P.PAYLOAD;
}
