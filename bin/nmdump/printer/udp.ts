/**
 * UDP: "src.sport > dst.dport: UDP, length 18", or what tcpdump prints
 * for the application on a well-known port (DNS, mDNS, BOOTP/DHCP, SNMP,
 * NTP, syslog, VXLAN, Geneve), checked in tcpdump's order. -vv (IPv4) or
 * -v (IPv6) checks the checksum first.
 */
import type { UdpLayer } from '../../../index';
import { bootpText } from './bootp';
import { bracketChecksum } from './checksum';
import { layerAt, PrintContext } from './context';
import { dnsText } from './dns';
import { geneveText } from './geneve';
import { portsText, type IpInfo } from './ip';
import { ntpText } from './ntp';
import { snmpText } from './snmp';
import { syslogText } from './syslog';
import { vxlanText } from './vxlan';

export function udpText(c: PrintContext, i: number, ip: IpInfo): string {
  const u = layerAt(c, i, 'udp') as UdpLayer;
  let s = portsText(ip, u.srcPort, u.dstPort);
  let length = ip.payloadLength - 8;
  if (ip.payloadLength < 8) return `${s}truncated-udp ${ip.payloadLength}`;
  if (u.udpLength !== 0 && u.udpLength < 8) return `${s}truncated-udplength ${u.udpLength}`;
  const ulen = (u.udpLength || ip.payloadLength) - 8;
  if (ulen < length) length = ulen;
  const sizeText = ulen > length && !ip.fragmented ? `UDP, bad length ${ulen} > ${length}` : `UDP, length ${ulen}`;
  if (c.o.quiet) return s + sizeText;
  if (c.o.verbose > 0 && !ip.fragmented && (ip.addrSize === 16 || c.o.verbose > 1)) {
    if (ip.addrSize === 4 && u.checksum === 0) s += '[no cksum] ';
    else s += bracketChecksum(c, ip, u.offset, length + 8, 6, 17, 'udp');
  }
  const at = u.offset + 8;
  const either = (p: number): boolean => u.srcPort === p || u.dstPort === p;
  if (either(53) || either(5353)) return s + dnsText(c, layerAt(c, i + 1, 'dns'), at, length, !either(53));
  if (either(67) || either(68)) return s + bootpText(c, at, length);
  if (either(161) || either(162)) return s + snmpText(c, at, length);
  if (either(123)) return s + ntpText(c, at, length);
  if (either(514)) return s + syslogText(c, at, length);
  if (either(4789)) return s + vxlanText(c, at, length);
  if (either(6081)) return s + geneveText(c, at, length);
  return s + sizeText;
}
