/**
 * ICMPv6 (RFC 4443), neighbour discovery (RFC 4861) and MLD (RFC 2710,
 * 3810), as tcpdump prints them: "ICMP6, neighbor solicitation, who has
 * 2001:2::2, length 32"; -v moves the length forward for neighbour
 * discovery, checks the checksum, and prints the ND options.
 */
import { formatIPv6 } from '../../../index';
import { bracketChecksum } from './checksum';
import { be16, be32, catchTrunc, hex, need, type PrintContext, Truncated } from './context';
import type { IpInfo } from './ip';
import { bytesText, unknownData } from './text';

const TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement', 135: 'neighbor solicitation',
  136: 'neighbor advertisement', 137: 'redirect', 138: 'router renumbering', 141: 'inverse neighbor solicitation',
  142: 'inverse neighbor advertisement', 143: 'multicast listener report v2', 144: 'ha discovery request',
  145: 'ha discovery reply', 146: 'mobile router solicitation', 147: 'mobile router advertisement',
  139: 'node information query', 140: 'node information reply', 200: 'mtrace response', 201: 'mtrace message', 155: 'RPL',
};
const UNREACH: Record<number, string> = { 0: 'unreachable route', 1: ' unreachable prohibited', 2: 'beyond scope',
  3: 'unreachable address', 4: 'unreachable port' };
const PARAM: Record<number, string> = { 0: 'erroneous', 1: 'next header', 2: 'option', 3: 'incomplete header chain' };
const OPTS: Record<number, string> = { 1: 'source link-address', 2: 'destination link-address', 3: 'prefix info',
  4: 'redirected header', 5: 'mtu', 25: 'rdnss', 31: 'dnssl', 7: 'advertisement interval', 8: 'homeagent information',
  24: 'route info' };
const MLD2_RECORDS: Record<number, string> = { 1: 'is_in', 2: 'is_ex', 3: 'to_in', 4: 'to_ex', 5: 'allow', 6: 'block' };

const bits = (v: number, table: [number, string][]): string => table.filter(([b]) => v & b).map(([, n]) => n).join(', ') || 'none';
const lifetime = (v: number): string => (v === 0xffffffff ? 'infinity' : `${v}s`);
const RTPREF = ['medium', 'high', 'rsv', 'low'];

/** DNSSL's names (uncompressed labels, each name ended by a zero byte; zero bytes after the last one pad the option). */
function domainsText(b: Uint8Array, at: number, end: number): string {
  let s = '';
  while (at < end && b[at] !== 0) {
    let name = '';
    while (at < end && b[at] !== 0) {
      const n = b[at];
      name += `${bytesText(b, at + 1, Math.min(n, end - at - 1), false)}.`;
      at += n + 1;
    }
    s += ` ${name}`;
    at++;
  }
  return s;
}

/** The ND options from `at` for `resid` bytes (-v). */
function ndOptionsText(c: PrintContext, at: number, resid: number): string {
  const b = c.bytes;
  let s = '';
  while (at < b.length) {
    need(c, at, 2, 'icmp6');
    if (resid <= 0) return s;
    const type = b[at];
    const len = b[at + 1];
    if (len === 0 || at + len * 8 > b.length) throw new Truncated('icmp6');
    s += `\n\t  ${OPTS[type] ?? 'unknown'} option (${type}), length ${len * 8} (${len}): `;
    switch (type) {
      case 1: case 2: s += Array.from(b.subarray(at + 2, at + len * 8), (x) => hex(x, 2)).join(':'); break;
      case 3:
        s += `${formatIPv6(b, at + 16)}/${b[at + 2]}${len !== 4 ? 'badlen' : ''}, Flags [${bits(b[at + 3], [[0x80, 'onlink'],
          [0x40, 'auto'], [0x20, 'router']])}], valid time ${lifetime(be32(b, at + 4))}, pref. time ${lifetime(be32(b, at + 8))}`;
        break;
      case 4: s += unknownData(b, at - (at - at), len * 8, '\n\t    '); break;
      case 5: s += ` ${be32(b, at + 4)}${len !== 1 ? 'bad option length' : ''}`; break;
      case 25: {
        s += ` lifetime ${be32(b, at + 4)}s,`;
        for (let k = 0; k < (len - 1) >> 1; k++) s += ` addr: ${formatIPv6(b, at + 8 + k * 16)}`;
        break;
      }
      case 7: s += ` ${be32(b, at + 4)}ms`; break;
      case 8: s += ` preference ${be16(b, at + 4)}, lifetime ${be16(b, at + 6)}`; break;
      case 24: {
        // The prefix field holds 0, 8 or 16 bytes (option length 1-3); the rest of an address is zero.
        const prefix = new Uint8Array(16);
        prefix.set(b.subarray(at + 8, at + Math.min(len * 8, 24)));
        s += ` ${formatIPv6(prefix, 0)}/${b[at + 2]}, pref=${RTPREF[(b[at + 3] & 0x18) >> 3]}, lifetime=${lifetime(be32(b, at + 4))}`;
        break;
      }
      case 31: s += ` lifetime ${be32(b, at + 4)}s, domain(s):${domainsText(b, at + 8, at + len * 8)}`; break;
      default:
        if (c.o.verbose <= 1) return s + unknownData(b, at + 2, len * 8 - 2, '\n\t  ');
    }
    if (c.o.verbose > 1) s += unknownData(b, at + 2, len * 8 - 2, '\n\t    ');
    at += len * 8;
    resid -= len * 8;
  }
  return s;
}

/** The destination and the upper-layer port of the datagram an error quotes. */
function quotedPort(c: PrintContext, at: number): string {
  const b = c.bytes;
  need(c, at, 40, 'icmp6', false);
  const dst = formatIPv6(b, at + 24);
  let nh = b[at + 6];
  let p = at + 40;
  for (let n = 0; n < 8 && (nh === 0 || nh === 60 || nh === 43 || nh === 44); n++) {
    need(c, p, 2, 'icmp6', false);
    const next = b[p];
    p += nh === 44 ? 8 : (b[p + 1] + 1) << 3;
    nh = next;
  }
  need(c, p, 4, 'icmp6', false);
  const port = be16(b, p + 2);
  if (nh === 6) return `, ${dst} tcp port ${port}`;
  if (nh === 17) return `, ${dst} udp port ${port}`;
  return `, ${dst} protocol ${nh} port ${port} unreachable`;
}

/** The ICMPv6 message at `at` (read from the bytes: a message cut short prints what there is). */
export function icmpv6Text(c: PrintContext, at: number, ip: IpInfo): string {
  const b = c.bytes;
  const length = ip.payloadLength;
  const v = c.o.verbose > 0;
  if (length === 0) return 'ICMP6, length 0 (invalid)';
  const sum = v && !ip.fragmented ? bracketChecksum(c, ip, at, length, 2, 58, 'icmp6') : '';
  return catchTrunc((out) => {
    need(c, at, 1, 'icmp6');
    const type = b[at];
    out.s += `ICMP6, ${TYPES[type] ?? `unknown icmp6 type (${type})`}`;
    if (v && [133, 134, 135, 136, 137, 145, 147].includes(type)) out.s += `, length ${length}`;
    need(c, at, 2, 'icmp6');
    const code = b[at + 1];
    const quote = at + 8;
    switch (type) {
      case 1:
        out.s += `, ${UNREACH[code] ?? `unknown unreach code (${code})`}`;
        if (code === 0 || code === 1 || code === 3) { need(c, quote, 40, 'icmp6'); out.s += ` ${formatIPv6(b, quote + 24)}`; }
        else if (code === 2) { need(c, quote, 40, 'icmp6'); out.s += ` ${formatIPv6(b, quote + 24)}, source address ${formatIPv6(b, quote + 8)}`; }
        else if (code === 4) out.s += quotedPort(c, quote);
        else if (c.o.verbose <= 1) { out.s += unknownData(b, at, Math.min(length, b.length - at), '\n\t'); return; }
        break;
      case 2: need(c, at, 8, 'icmp6'); out.s += `, mtu ${be32(b, at + 4)}`; break;
      case 3:
        if (code === 0) { need(c, quote, 40, 'icmp6'); out.s += ` for ${formatIPv6(b, quote + 24)}`; }
        else if (code === 1) out.s += ' (reassembly)';
        else out.s += `, unknown code (${code})`;
        break;
      case 4:
        need(c, quote, 40, 'icmp6', false);
        out.s += PARAM[code] ? `, ${PARAM[code]} - octet ${be32(b, at + 4)}` : `, code-#${code}`;
        break;
      case 128: case 129: need(c, at, 8, 'icmp6'); out.s += `, id ${be16(b, at + 4)}, seq ${be16(b, at + 6)}`; break;
      case 130:
        if (length === 24) out.s += mld1Text(c, at);
        else if (length >= 28) out.s += ` v2${mld2QueryText(c, at, length)}`;
        else out.s += ` unknown-version (len ${length}) `;
        break;
      case 131: case 132: out.s += mld1Text(c, at); break;
      case 133: if (v) out.s += ndOptionsText(c, at + 8, length - 8); break;
      case 134:
        if (v) {
          need(c, at, 16, 'icmp6');
          const f = b[at + 5];
          out.s += `\n\thop limit ${b[at + 4]}, Flags [${bits(f, [[0x80, 'managed'], [0x40, 'other stateful'], [0x20, 'home agent'],
            [0x02, 'ipv6 only']])}], pref ${RTPREF[(f & 0x18) >> 3]}, router lifetime ${be16(b, at + 6)}s, `
            + `reachable time ${be32(b, at + 8)}ms, retrans timer ${be32(b, at + 12)}ms`;
          out.s += ndOptionsText(c, at + 16, length - 16);
        }
        break;
      case 135:
        need(c, at, 24, 'icmp6');
        out.s += `, who has ${formatIPv6(b, at + 8)}`;
        if (v) out.s += ndOptionsText(c, at + 24, length - 24);
        break;
      case 136:
        need(c, at, 24, 'icmp6');
        out.s += `, tgt is ${formatIPv6(b, at + 8)}`;
        if (v) {
          out.s += `, Flags [${bits(b[at + 4], [[0x80, 'router'], [0x40, 'solicited'], [0x20, 'override']])}]`;
          out.s += ndOptionsText(c, at + 24, length - 24);
        }
        break;
      case 137:
        need(c, at, 40, 'icmp6');
        out.s += `, ${formatIPv6(b, at + 24)} to ${formatIPv6(b, at + 8)}`;
        if (v) out.s += ndOptionsText(c, at + 40, length - 40);
        break;
      case 143:
        if (length < 8) { out.s += ` [invalid len ${length}]`; break; }
        need(c, at, 8, 'icmp6');
        out.s += mld2ReportText(c, at, length);
        break;
      case 144: case 146: need(c, at, 6, 'icmp6'); out.s += `, id 0x${hex(be16(b, at + 4), 4)}`; break;
      case 141: case 142: break;
      default:
        out.s += `, length ${length}`;
        if (c.o.verbose <= 1) out.s += unknownData(b, at, Math.min(length, b.length - at), '\n\t');
        return;
    }
    if (!v) out.s += `, length ${length}`;
  }, sum);
}

function mld1Text(c: PrintContext, at: number): string {
  if (at + 24 > c.bytes.length) return '';
  return `max resp delay: ${be16(c.bytes, at + 4)} addr: ${formatIPv6(c.bytes, at + 8)}`;
}

function mld2QueryText(c: PrintContext, at: number, len: number): string {
  const b = c.bytes;
  need(c, at, 28, 'icmp6');
  const mrc = be16(b, at + 4);
  const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
  let s = c.o.verbose > 0 ? ` [max resp delay=${mrt}]` : '';
  s += ` [gaddr ${formatIPv6(b, at + 8)}`;
  if (c.o.verbose > 0) {
    if (b[at + 24] & 0x08) s += ' sflag';
    if (b[at + 24] & 0x07) s += ` robustness=${b[at + 24] & 7}`;
    const q = b[at + 25];
    s += ` qqi=${q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3)}`;
  }
  const nsrcs = be16(b, at + 26);
  if (nsrcs > 0) {
    if (len < 28 + nsrcs * 16) s += ' [invalid number of sources]';
    else if (c.o.verbose > 1) {
      s += ' {';
      for (let k = 0; k < nsrcs; k++) s += ` ${formatIPv6(b, at + 28 + k * 16)}`;
      s += ' }';
    } else s += `, ${nsrcs} source(s)`;
  }
  return `${s}]`;
}

function mld2ReportText(c: PrintContext, at: number, len: number): string {
  const b = c.bytes;
  const groups = be16(b, at + 6);
  let s = `, ${groups} group record(s)`;
  if (c.o.verbose === 0) return s;
  let g = 8;
  for (let k = 0; k < groups; k++) {
    if (len < g + 20) return `${s} [invalid number of groups]`;
    need(c, at + g, 20, 'icmp6');
    s += ` [gaddr ${formatIPv6(b, at + g + 4)} ${MLD2_RECORDS[b[at + g]] ?? ` [v2-report-#${b[at + g]}]`}`;
    const nsrcs = be16(b, at + g + 2);
    if (len < g + 20 + nsrcs * 16) return `${s} [invalid number of sources ${nsrcs}]`;
    if (c.o.verbose === 1) s += `, ${nsrcs} source(s)`;
    else {
      s += ' {';
      for (let j = 0; j < nsrcs; j++) s += ` ${formatIPv6(b, at + g + 20 + j * 16)}`;
      s += ' }';
    }
    g += 20 + nsrcs * 16;
    s += ']';
  }
  return s;
}
