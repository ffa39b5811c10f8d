/**
 * IPv4 and IPv6, as tcpdump prints them: "IP " (without -e), the -v
 * header summary, then the transport, which prints the addresses itself
 * when it has ports.
 */
import type { Ipv4Layer, Ipv6Layer } from '../../../index';
import { checksumAdd, checksumFinish } from '../../../index';
import { layerAt, PrintContext } from './context';
import { icmpText, icmpv6Text } from './icmp';
import { igmpText } from './igmp';
import { IPPROTO_NAMES } from './names';
import { tcpText } from './tcp';
import { udpText } from './udp';

/** What a transport printer needs from the IP layer under it. */
export interface IpInfo {
  src: string;
  dst: string;
  /** Offsets and size of the raw addresses (pseudo-headers, TCP's connection key). */
  srcAt: number;
  dstAt: number;
  addrSize: 4 | 16;
  /** Bytes after the IP header(s), by the IP length fields. */
  payloadLength: number;
  fragmented: boolean;
}

/** The transport part after "src > dst: " or with ports. */
function transportText(c: PrintContext, i: number, ip: IpInfo, protocol: number): string {
  const l = c.layers[i];
  const plain = `${ip.src} > ${ip.dst}: `;
  switch (l?.kind) {
    case 'tcp': return tcpText(c, i, ip);
    case 'udp': return udpText(c, i, ip);
    case 'icmp': return plain + icmpText(c, l, ip);
    case 'icmpv6': return plain + icmpv6Text(c, l, ip);
    case 'igmp': return plain + igmpText(l, ip);
    default: return `${plain} ip-proto-${protocol} ${ip.payloadLength}`;
  }
}

const IP_OPTIONS: Record<number, string> = { 0: 'EOL', 1: 'NOP', 148: 'RA' };

/** -v's "options (RA)": the options without a body; one with a body ends the list (tcpdump prints those fully). */
function ipOptionsText(ip: Ipv4Layer): string {
  return ip.options.map((o) => {
    const name = IP_OPTIONS[o.type] ?? `unknown ${o.type}`;
    const value = o.type === 148 && o.data.length >= 2 ? (o.data[0] << 8) | o.data[1] : 0;
    return value ? `${name} value ${value}` : name;
  }).join(',');
}

const FRAG_FLAGS: [number, string][] = [[1, '+'], [2, 'DF'], [4, 'rsvd']];

/** The IPv4 line from the layer at `i`. */
export function ipv4Text(c: PrintContext, i: number): string {
  const ip = layerAt(c, i, 'ipv4') as Ipv4Layer;
  const prefix = c.o.linkHeader ? '' : 'IP ';
  const info: IpInfo = {
    src: ip.src, dst: ip.dst, srcAt: ip.offset + 12, dstAt: ip.offset + 16, addrSize: 4,
    payloadLength: ip.totalLength - ip.length, fragmented: (ip.flags & 1) !== 0 || ip.fragmentOffset !== 0,
  };
  let head = prefix;
  if (c.o.verbose > 0) {
    const ecn = ['', ',ECT(1)', ',ECT(0)', ',CE'][ip.tos & 3];
    const flags = FRAG_FLAGS.filter(([bit]) => ip.flags & bit).map(([, n]) => n).join(', ') || 'none';
    head += `(tos 0x${ip.tos.toString(16)}${ecn}${ip.ttl >= 1 ? `, ttl ${ip.ttl}` : ''}, id ${ip.id}, `
      + `offset ${ip.fragmentOffset * 8}, flags [${flags}], proto ${IPPROTO_NAMES[ip.protocol] ?? 'unknown'} (${ip.protocol}), `
      + `length ${ip.totalLength}`;
    if (ip.length > 20) head += `, options (${ipOptionsText(ip)})`;
    if (ip.offset + ip.length <= c.bytes.length) {
      const sum = checksumFinish(checksumAdd(c.bytes, ip.offset, ip.offset + ip.length));
      if (sum !== 0) {
        const should = checksumFinish(checksumAdd(c.bytes, ip.offset, ip.offset + ip.length) - ip.checksum);
        head += `, bad cksum ${ip.checksum.toString(16)} (->${should.toString(16)})!`;
      }
    }
    head += ')\n    ';
  }
  if (ip.fragmentOffset !== 0) return `${head}${ip.src} > ${ip.dst}: ip-proto-${ip.protocol}`;
  return head + transportText(c, i + 1, info, ip.protocol);
}

const EXT_NAMES: Record<number, string> = { 0: 'HBH', 43: 'srcrt', 44: 'frag', 60: 'DSTOPT', 51: 'AH', 50: 'ESP' };

/** The IPv6 line from the layer at `i`. */
export function ipv6Text(c: PrintContext, i: number): string {
  const ip = layerAt(c, i, 'ipv6') as Ipv6Layer;
  let head = c.o.linkHeader ? '' : 'IP6 ';
  const fragment = ip.extensions.find((e) => e.type === 44);
  const info: IpInfo = {
    src: ip.src, dst: ip.dst, srcAt: ip.offset + 8, dstAt: ip.offset + 24, addrSize: 16,
    payloadLength: ip.payloadLength - (ip.length - 40), fragmented: fragment !== undefined,
  };
  if (c.o.verbose > 0) {
    head += '(';
    if (ip.trafficClass) head += `class 0x${ip.trafficClass.toString(16).padStart(2, '0')}, `;
    if (ip.flowLabel) head += `flowlabel 0x${ip.flowLabel.toString(16).padStart(5, '0')}, `;
    head += `hlim ${ip.hopLimit}, next-header ${IPPROTO_NAMES[ip.nextHeader] ?? 'unknown'} (${ip.nextHeader}) payload length: ${ip.payloadLength}) `;
  }
  const exts = ip.extensions.map((e) => EXT_NAMES[e.type] ?? `ext-${e.type}`);
  if (exts.length === 0) return head + transportText(c, i + 1, info, ip.protocol);
  // Extension headers print between the addresses and the transport.
  const rest = transportText(c, i + 1, info, ip.protocol);
  const plain = `${ip.src} > ${ip.dst}: `;
  return rest.startsWith(plain) ? `${head}${plain}${exts.join(' ')} ${rest.slice(plain.length)}`
    : `${head}${plain}${exts.join(' ')} ${rest}`;
}
