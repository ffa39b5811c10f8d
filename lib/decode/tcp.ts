/** TCP (RFC 9293). */
import { DecodeState, fail, fits, NONE_LIST, P, u16, u32 } from './state';
import { tcpOptions, type TcpOption } from './tcp-options';

/** TCP flag bits as in {@link TcpLayer.flags}. */
export const TCP_FLAGS = Object.freeze({
  FIN: 0x001, SYN: 0x002, RST: 0x004, PSH: 0x008, ACK: 0x010, URG: 0x020, ECE: 0x040, CWR: 0x080,
  /** The old ECN nonce bit (RFC 3540, historic), now reserved / AE. */
  NS: 0x100,
});

export interface TcpLayer {
  readonly kind: 'tcp';
  readonly offset: number;
  /** Header length in bytes (data offset × 4), options included. */
  readonly length: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** The 9 flag bits (see TCP_FLAGS). */
  readonly flags: number;
  readonly window: number;
  readonly checksum: number;
  readonly urgentPointer: number;
  readonly options: readonly TcpOption[];
}

export function decodeTcp(s: DecodeState): void {
  if (!fits(s, 20, 'tcp')) return;
  const d = s.data;
  const o = s.off;
  const hlen = (d[o + 12] >>> 4) * 4;
  if (hlen < 20) return fail(s, `tcp: data offset ${hlen} is below the minimum 20`);
  if (!fits(s, hlen, 'tcp')) return;
  const srcPort = u16(d, o);
  const dstPort = u16(d, o + 2);
  let options: readonly TcpOption[] = NONE_LIST;
  let error: string | undefined;
  if (hlen > 20) {
    const list: TcpOption[] = [];
    error = tcpOptions(d, o + 20, o + hlen, list);
    options = list;
  }
  const layer: TcpLayer = {
    kind: 'tcp', offset: o, length: hlen, srcPort, dstPort, seq: u32(d, o + 4), ack: u32(d, o + 8),
    flags: ((d[o + 12] & 1) << 8) | d[o + 13], window: u16(d, o + 14), checksum: u16(d, o + 16),
    urgentPointer: u16(d, o + 18), options,
  };
  s.layers.push(layer);
  if (error !== undefined) return fail(s, error);
  s.off = o + hlen;
  s.next = s.off < s.end && (isDnsPort(srcPort) || isDnsPort(dstPort)) ? P.DNS_TCP : P.PAYLOAD;
}

/** DNS (53) and multicast DNS (5353). */
export const isDnsPort = (port: number): boolean => port === 53 || port === 5353;
