/**
 * IPv4 and IPv6, as tcpdump prints them: "IP " (without -e), the -v
 * header summary, the IPv6 extension headers, then what the protocol
 * field names (ip_demux in tcpdump): the transports print the addresses
 * themselves when they have ports.
 */
import type { Ipv4Layer, Ipv6Layer } from '../../../index';
import { checksumAdd, checksumFinish, decodeFrom, formatIPv6 } from '../../../index';
import { be16, be32, catchTrunc, hex, layerAt, layerIndexAt, need, PrintContext, Truncated } from './context';
import { greText } from './gre';
import { icmpText } from './icmp';
import { icmpv6Text } from './icmp6';
import { igmpText } from './igmp';
import { ipOptionsText } from './ip-options';
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
  /** The addresses are printed already (IPv6 extension headers came first): ports print alone. */
  addressesPrinted?: boolean;
}

/** "src.port > dst.port: " or, after IPv6 extension headers, "port > port: ". */
export function portsText(ip: IpInfo, sport: number | string, dport: number | string): string {
  return ip.addressesPrinted ? `${sport} > ${dport}: ` : `${ip.src}.${sport} > ${ip.dst}.${dport}: `;
}

/** Protocols whose printers print the addresses with the ports. */
const WITH_PORTS = new Set([6, 17, 33, 132]);

/** What follows the IP header(s): the protocol `nh` at byte `at`, `length` bytes by the IP lengths. */
function demuxText(c: PrintContext, at: number, ip: IpInfo, nh: number): string {
  const byKind = (kind: 'tcp' | 'udp'): number => layerIndexAt(c, at, kind);
  switch (nh) {
    case 6: {
      const i = byKind('tcp');
      if (i >= 0) return tcpText(c, i, ip);
      // The header's options cut by the capture: print what there is, as tcpdump does.
      if (at + 20 <= c.bytes.length && c.bytes[at + 12] >> 4 >= 5) {
        const padded = new Uint8Array(at + 60);
        padded.set(c.bytes);
        const header = decodeFrom('tcp', padded, at).layers[0];
        if (header?.kind === 'tcp') return tcpText({ ...c, layers: [header] }, 0, ip);
      }
      break;
    }
    case 17: { const i = byKind('udp'); if (i >= 0) return udpText(c, i, ip); break; }
    case 1: {
      if (ip.addrSize === 16) return '[ICMP requires IPv6] (invalid)'.replace('IPv6', 'IPv4');
      return icmpText(c, at, ip);
    }
    case 58: {
      if (ip.addrSize === 4) return '[ICMPv6 requires IPv6] (invalid)';
      return icmpv6Text(c, at, ip);
    }
    case 2: {
      return igmpText(c, at, ip);
    }
    case 4: return c.inner('ipv4', at, at + ip.payloadLength);
    case 41: return c.inner('ipv6', at, at + ip.payloadLength);
    case 47: return greText(c, at, ip.payloadLength);
    case 59: return 'no next header';
    default:
  }
  if (WITH_PORTS.has(nh)) {
    // A transport header cut short: the name of what was cut.
    const name = nh === 6 ? 'tcp' : nh === 17 ? 'udp' : nh === 132 ? 'sctp' : 'dccp';
    if (at + 4 <= c.bytes.length) return `${portsText(ip, be16(c.bytes, at), be16(c.bytes, at + 2))} [|${name}]`;
    return ip.addressesPrinted ? ` [|${name}]` : `${ip.src} > ${ip.dst}:  [|${name}]`;
  }
  return ` ip-proto-${nh} ${ip.payloadLength}`;
}

const FRAG_FLAGS: [number, string][] = [[1, '+'], [2, 'DF'], [4, 'rsvd']];

/** The IPv4 line from the layer at `i`. */
export function ipv4Text(c: PrintContext, i: number): string {
  const ip = layerAt(c, i, 'ipv4') as Ipv4Layer;
  const prefix = c.o.linkHeader ? '' : 'IP ';
  const info: IpInfo = {
    src: ip.src, dst: ip.dst, srcAt: ip.offset + 12, dstAt: ip.offset + 16, addrSize: 4,
    payloadLength: (ip.totalLength || c.wireLength - ip.offset) - ip.length,
    fragmented: (ip.flags & 1) !== 0 || ip.fragmentOffset !== 0,
  };
  return catchTrunc((out) => {
    if (c.o.verbose > 0) {
      const ecn = ['', ',ECT(1)', ',ECT(0)', ',CE'][ip.tos & 3];
      const flags = FRAG_FLAGS.filter(([bit]) => ip.flags & bit).map(([, n]) => n).join(', ') || 'none';
      out.s += `(tos 0x${hex(ip.tos)}${ecn}${ip.ttl >= 1 ? `, ttl ${ip.ttl}` : ''}, id ${ip.id}, `
        + `offset ${ip.fragmentOffset * 8}, flags [${flags}], proto ${IPPROTO_NAMES[ip.protocol] ?? 'unknown'} (${ip.protocol}), `
        + `length ${ip.totalLength}`;
      if (ip.length > 20) out.s += `, options (${ipOptionsText(c, ip.offset + 20, ip.length - 20)})`;
      if (ip.offset + ip.length <= c.bytes.length) {
        const sum = checksumFinish(checksumAdd(c.bytes, ip.offset, ip.offset + ip.length));
        if (sum !== 0) {
          const should = checksumFinish(checksumAdd(c.bytes, ip.offset, ip.offset + ip.length) - ip.checksum);
          out.s += `, bad cksum ${hex(ip.checksum)} (->${hex(should)})!`;
        }
      }
      out.s += ')\n    ';
    }
    if (ip.fragmentOffset !== 0) { out.s += `${ip.src} > ${ip.dst}: ip-proto-${ip.protocol}`; return; }
    out.s += WITH_PORTS.has(ip.protocol) ? '' : `${ip.src} > ${ip.dst}: `;
    out.s += demuxText(c, ip.offset + ip.length, info, ip.protocol);
  }, prefix);
}

/**
 * -v: the hop-by-hop / destination options, "(rtalert: 0x0000) (padn) ".
 * A jumbo payload option's length is stored in `found` (it replaces a zero
 * IPv6 payload length); with a non-zero one tcpdump flags it as wrong.
 */
function optionsText(c: PrintContext, at: number, len: number, plen: number, found: { jumbo?: number }): string {
  const b = c.bytes;
  const v = c.o.verbose > 0;
  let s = '';
  for (let i = 0; i < len;) {
    const type = b[at + i];
    const optLen = type === 0 ? 1 : i + 1 < len ? b[at + i + 1] + 2 : -1;
    if (optLen < 0 || i + optLen > len) return s;
    if (type === 0) { if (v) s += '(pad1)'; }
    else if (type === 1) { if (v) s += '(padn)'; }
    else if (type === 5) {
      if (b[at + i + 1] !== 2) return `${s}(rtalert: invalid len ${b[at + i + 1]})`;
      if (v) s += `(rtalert: 0x${hex(be16(b, at + i + 2), 4)}) `;
    } else if (type === 0xc2) {
      // A second jumbo option is flagged and ignored: the first one's length stands.
      const value = be32(b, at + i + 2);
      // Only the first one, with no IPv6 payload length and a length a plain packet could not carry, counts.
      const note = found.jumbo !== undefined ? ' - already seen' : plen !== 0 ? ' - payload len != 0' : value < 65536 ? ' - < 65536' : '';
      if (note === '') found.jumbo = value;
      if (v) s += `(jumbo: ${value}${note}) `;
    } else if (v) s += `(opt_type 0x${hex(type, 2)}: len=${b[at + i + 1]})`;
    i += optLen;
  }
  return v ? `${s} ` : s;
}

/** The routing header: "RT6 (len=2, type=0 [Deprecated], segleft=1, [0]2001:2::3) ". */
function routingText(c: PrintContext, at: number, out: { s: string }): number {
  const b = c.bytes;
  out.s += 'RT6';
  need(c, at, 2, 'rt6');
  let len = b[at + 1];
  out.s += ` (len=${len}`;
  need(c, at, 3, 'rt6');
  const type = b[at + 2];
  out.s += `, type=${type}${type === 0 ? ' [Deprecated]' : ''}`;
  need(c, at, 4, 'rt6');
  out.s += `, segleft=${b[at + 3]}`;
  if (type === 0 || type === 2) {
    need(c, at, 8, 'rt6');
    if (be32(b, at + 4) || c.o.verbose > 0) out.s += `, rsv=0x${hex(be32(b, at + 4))}`;
  } else if (type === 4) {
    need(c, at, 5, 'rt6');
    out.s += `, last-entry=${b[at + 4]}`;
    need(c, at, 6, 'rt6');
    if (b[at + 5] || c.o.verbose > 0) out.s += `, flags=0x${hex(b[at + 5])}`;
    need(c, at, 8, 'rt6');
    out.s += `, tag=${hex(be16(b, at + 6))}`;
  } else {
    out.s += ' (unknown type) (invalid)';
    return -1;
  }
  if (len % 2 === 1) {
    out.s += ` (invalid length ${len}) (invalid)`;
    return -1;
  }
  len >>= 1;
  for (let k = 0; k < len; k++) {
    need(c, at + 8 + k * 16, 16, 'rt6');
    out.s += `, [${k}]${formatIPv6(b, at + 8 + k * 16)}`;
  }
  out.s += ') ';
  return (b[at + 1] + 1) << 3;
}

/** The IPv6 line from the layer at `i`: the extension headers walked from the bytes, as tcpdump walks them. */
export function ipv6Text(c: PrintContext, i: number): string {
  const ip = layerAt(c, i, 'ipv6') as Ipv6Layer;
  const b = c.bytes;
  let head = c.o.linkHeader ? '' : 'IP6 ';
  if (c.o.verbose > 0) {
    head += '(';
    if (ip.trafficClass) head += `class 0x${hex(ip.trafficClass, 2)}, `;
    if (ip.flowLabel) head += `flowlabel 0x${hex(ip.flowLabel, 5)}, `;
    head += `hlim ${ip.hopLimit}, next-header ${IPPROTO_NAMES[ip.nextHeader] ?? 'unknown'} (${ip.nextHeader}) payload length: ${ip.payloadLength}) `;
  }
  const plen = ip.payloadLength;
  const length = c.wireLength - ip.offset;
  if (plen !== 0 && length < plen + 40) head += `truncated-ip6 - ${plen + 40 - length} bytes missing!`;
  let len = plen !== 0 ? plen + 40 : length + 40;
  const info: IpInfo = {
    src: ip.src, dst: ip.dst, srcAt: ip.offset + 8, dstAt: ip.offset + 24, addrSize: 16, payloadLength: 0, fragmented: false,
  };
  return catchTrunc((out) => {
    let nh = ip.nextHeader;
    let at = ip.offset;
    let advance = 40;
    let seenHbh = false;
    let first = true;
    let jumbo: number | undefined;
    const end = Math.min(b.length, ip.offset + len);
    while (at < end && advance > 0) {
      if (len < advance) throw new Truncated('ip6');
      at += advance;
      len -= advance;
      if (first && !WITH_PORTS.has(nh)) out.s += `${ip.src} > ${ip.dst}: `;
      if (first) info.addressesPrinted = !WITH_PORTS.has(nh);
      first = false;
      switch (nh) {
        case 0: case 60: {
          if (nh === 0 && seenHbh) { out.s += '[The Hop-by-Hop Options header was already found] (invalid)'; return; }
          const name = nh === 0 ? 'hbhopt' : 'dstopt';
          need(c, at, 2, name);
          advance = (b[at + 1] + 1) << 3;
          // Options cut short with a zero payload length: no jumbo option was read, which tcpdump adds after the cut.
          const noJumbo = nh === 0 && plen === 0 ? '[No valid Jumbo Payload Hop-by-Hop option found] (invalid)' : '';
          if (at + advance > b.length) throw new Truncated(name, false, noJumbo);
          out.s += nh === 0 ? 'HBH ' : 'DSTOPT ';
          const found: { jumbo?: number } = {};
          if (nh === 0 || c.o.verbose > 0) out.s += optionsText(c, at + 2, advance - 2, plen, found);
          if (nh === 0 && plen === 0) {
            // A zero payload length means a jumbogram: the length is the option's, counted from here.
            if (found.jumbo === undefined) { out.s += noJumbo; return; }
            jumbo = found.jumbo;
            len = jumbo - (at - ip.offset - 40);
            if (length < jumbo + 40) out.s += `truncated-ip6 - ${jumbo + 40 - length} bytes missing!`;
          }
          seenHbh ||= nh === 0;
          nh = b[at];
          break;
        }
        case 44: {
          need(c, at, c.o.verbose > 0 ? 8 : 4, 'frag6');
          const off = be16(b, at + 2) & 0xfff8;
          const rest = 40 + plen - (at - ip.offset) - 8;
          out.s += c.o.verbose > 0 ? `frag (0x${hex(be32(b, at + 4), 8)}:${off}|${rest})` : `frag (${off}|${rest})`;
          if (off !== 0) return;
          out.s += ' ';
          advance = 8;
          info.fragmented = true;
          if (b.length <= at + advance) return;
          nh = b[at];
          break;
        }
        case 43:
          advance = routingText(c, at, out);
          if (advance < 0) return;
          nh = b[at];
          break;
        default:
          info.payloadLength = plen === 0 && jumbo === undefined ? 0 : len;
          out.s += demuxText(c, at, info, nh);
          return;
      }
    }
  }, head);
}
