/** UDP (RFC 768). */
import { DecodeState, fail, fits, limit, P, u16 } from './state';
import { isDnsPort } from './tcp';

export interface UdpLayer {
  readonly kind: 'udp';
  readonly offset: number;
  /** Always 8 (the header). */
  readonly length: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** The UDP length field: header plus data. */
  readonly udpLength: number;
  readonly checksum: number;
}

export function decodeUdp(s: DecodeState): void {
  if (!fits(s, 8, 'udp')) return;
  const d = s.data;
  const o = s.off;
  const srcPort = u16(d, o);
  const dstPort = u16(d, o + 2);
  const udpLength = u16(d, o + 4);
  const layer: UdpLayer = { kind: 'udp', offset: o, length: 8, srcPort, dstPort, udpLength, checksum: u16(d, o + 6) };
  s.layers.push(layer);
  // 0: a jumbogram (RFC 2675) or a BIG TCP tunnel packet over 64 KiB; the enclosing length bounds it.
  if (udpLength !== 0) {
    if (udpLength < 8) return fail(s, `udp: length field ${udpLength} is below the header's 8`);
    limit(s, o + udpLength);
  }
  s.off = o + 8;
  s.next = s.off < s.end && (isDnsPort(srcPort) || isDnsPort(dstPort)) ? P.DNS : P.PAYLOAD;
}
