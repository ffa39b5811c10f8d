/**
 * UDP: "src.sport > dst.dport: UDP, length 18", or the DNS summary on
 * ports 53 and 5353. -vv (IPv4) or -v (IPv6) checks the checksum first.
 */
import type { UdpLayer } from '../../../index';
import { bracketChecksum } from './checksum';
import { layerAt, PrintContext } from './context';
import { dnsText } from './dns';
import type { IpInfo } from './ip';

export function udpText(c: PrintContext, i: number, ip: IpInfo): string {
  const u = layerAt(c, i, 'udp') as UdpLayer;
  let s = `${ip.src}.${u.srcPort} > ${ip.dst}.${u.dstPort}: `;
  const length = Math.max(0, Math.min(u.udpLength, ip.payloadLength) - 8);
  if (c.o.quiet) return `${s}UDP, length ${length}`;
  if (ip.addrSize === 16 ? c.o.verbose > 0 : c.o.verbose > 1) {
    if (ip.addrSize === 4 && u.checksum === 0) s += '[no cksum] ';
    else s += bracketChecksum(c, ip, u.offset, length + 8, 6, 17, 'udp');
  }
  const dns = layerAt(c, i + 1, 'dns');
  if (dns) return s + dnsText(c, dns, length);
  return `${s}UDP, length ${length}`;
}
