/**
 * TCP, as tcpdump prints it:
 *   Flags [S.], seq 1:59, ack 1, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 58
 * seq/ack relative after the handshake (see tcp-seq.ts); -v adds the
 * checksum; DNS on port 53 follows the length.
 */
import type { TcpLayer } from '../../../index';
import { be16, be32, catchTrunc, layerAt, need, PrintContext, Truncated } from './context';
import { dnsText } from './dns';
import { httpText } from './http';
import { portsText, type IpInfo } from './ip';
import { transportChecksum } from './checksum';

const FLAG_CHARS: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'],
  [0x40, 'E'], [0x80, 'W']];

function flagsText(flags: number): string {
  const s = FLAG_CHARS.filter(([bit]) => flags & bit).map(([, c]) => c).join('');
  return s || 'none';
}

const OPTION_NAMES: Record<number, string> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply', 8: 'TS', 11: 'cc',
  12: 'ccnew', 13: '', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp', 34: 'tfo', 254: 'exp',
};

const h2 = (n: number): string => n.toString(16).padStart(2, '0');
const hexRun = (b: Uint8Array, from: number, n: number): string => Array.from(b.subarray(from, from + n), h2).join('');

function fastOpen(b: Uint8Array, at: number, n: number): string {
  if (n === 0) return ' cookiereq';
  if (n % 2 !== 0 || n < 4 || n > 16) return ' (invalid)';
  return ` cookie ${hexRun(b, at, n)}`;
}

/**
 * The options in bytes [at, at + hlen), walked as tcpdump walks them (an
 * option it cannot read ends the list with "[bad opt]"); `sackBase` makes
 * SACK edges relative.
 */
function optionsText(c: PrintContext, out: { s: string }, at: number, hlen: number, sackBase: number): boolean {
  const b = c.bytes;
  let sep = '';
  let cp = at;
  const bad = (): boolean => { out.s += '[bad opt]]'; return false; };
  while (hlen > 0) {
    out.s += sep;
    need(c, cp, 1, 'tcp');
    const opt = b[cp++];
    let len = 1;
    if (opt !== 0 && opt !== 1) {
      need(c, cp, 1, 'tcp');
      len = b[cp++];
      if (len < 2 || len > hlen) return bad();
      hlen--;
    }
    hlen--;
    let datalen = 0;
    // LENCHECK: a length check, which ends the list with ">" once an option was printed.
    const check = (n: number): boolean => {
      if (n > hlen) return false;
      if (cp + n > b.length) throw new Truncated('tcp', false, sep ? '>' : '');
      return true;
    };
    out.s += OPTION_NAMES[opt] ?? `unknown-${opt}`;
    switch (opt) {
      case 2: datalen = 2; if (!check(2)) return bad(); out.s += ` ${be16(b, cp)}`; break;
      case 3: datalen = 1; if (!check(1)) return bad(); out.s += ` ${b[cp]}`; break;
      case 5:
        datalen = len - 2;
        if (datalen % 8 !== 0) out.s += ' invalid sack';
        else {
          out.s += ` ${datalen / 8} `;
          for (let k = 0; k < datalen; k += 8) {
            if (!check(k + 8)) return bad();
            out.s += `{${(be32(b, cp + k) - sackBase) >>> 0}:${(be32(b, cp + k + 4) - sackBase) >>> 0}}`;
          }
        }
        break;
      case 6: case 7: case 11: case 12: case 13: datalen = 4; if (!check(4)) return bad(); out.s += ` ${be32(b, cp)}`; break;
      case 8: datalen = 8; if (!check(8)) return bad(); out.s += ` val ${be32(b, cp)} ecr ${be32(b, cp + 4)}`; break;
      case 19: datalen = 16; if (!check(16)) return bad(); out.s += ` shared secret not supplied with -M, can't check - ${hexRun(b, cp, 16)}`; break;
      case 20: datalen = 2; if (!check(2)) return bad(); out.s += ` cap ${h2(b[cp])} id ${b[cp + 1]}`; break;
      case 0: case 1: case 4: break;
      case 28: {
        datalen = 2;
        if (!check(2)) return bad();
        const v = be16(b, cp);
        out.s += ` 0x${v.toString(16)} ${v & 1 ? (v >> 1) * 60 : v >> 1}`;
        break;
      }
      case 34: datalen = len - 2; if (!check(datalen)) return bad(); out.s += ` ${fastOpen(b, cp, datalen)}`; break;
      case 254: {
        datalen = len - 2;
        if (!check(datalen) || datalen < 2) return bad();
        const magic = be16(b, cp);
        out.s += magic === 0xf989 ? `-tfo${fastOpen(b, cp + 2, datalen - 2)}` : `-${magic.toString(16).padStart(4, '0')}`;
        break;
      }
      case 30: return bad();
      default:
        datalen = len - 2;
        if (datalen) out.s += ' 0x';
        for (let k = 0; k < datalen; k++) { if (!check(k + 1)) return bad(); out.s += h2(b[cp + k]); }
    }
    cp += datalen;
    hlen -= datalen;
    if (datalen + (opt === 0 || opt === 1 ? 1 : 2) !== len) out.s += `[len ${len}]`;
    sep = ',';
    if (opt === 0) break;
  }
  return true;
}

/** Well-known ports whose payload tcpdump labels; the printers that exist here. */
function payloadText(c: PrintContext, i: number, t: TcpLayer, at: number, length: number): string {
  const either = (p: number): boolean => t.srcPort === p || t.dstPort === p;
  if (either(80) || either(8080)) return httpText(c, at, length);
  if (either(53)) {
    if (length < 2) return ' [DNS over TCP: length 2 < 2] (invalid)'.replace('2 < 2', `${length} < 2`);
    need(c, at, 2, 'domain');
    if (be16(c.bytes, at) !== length - 2) return ` [prefix length(${be16(c.bytes, at)}) != length(${length - 2})] (invalid)`;
    const dns = layerAt(c, i + 1, 'dns');
    return ` ${dnsText(c, dns, at + 2, length - 2, false)}`;
  }
  return '';
}

/** The TCP part of an IPv4 or IPv6 line; `i` is the TCP layer's index. */
export function tcpText(c: PrintContext, i: number, ip: IpInfo): string {
  const t = layerAt(c, i, 'tcp') as TcpLayer;
  const head = portsText(ip, t.srcPort, t.dstPort);
  const length = ip.payloadLength - t.length;
  if (c.o.quiet) return `${head}tcp ${length}`;
  return catchTrunc((out) => {
    out.s += `Flags [${flagsText(t.flags & 0xff)}]`;
    let { seq, ack } = t;
    let sackBase = 0;
    const hasAck = (t.flags & 0x10) !== 0;
    if (hasAck) {
      const v = c.tcpSeq.view(c.bytes, ip.srcAt, ip.dstAt, ip.addrSize, t.srcPort, t.dstPort, seq, ack, (t.flags & 0x02) !== 0);
      ({ seq, ack } = v);
      sackBase = v.reversed ? v.thSeq : v.thAck;
    }
    if (c.o.verbose > 0) {
      const sum = transportChecksum(c, ip, t.offset, ip.payloadLength, 6);
      if (sum !== undefined) out.s += `, cksum 0x${t.checksum.toString(16).padStart(4, '0')} (${sum})`;
    }
    if (c.o.verbose > 1 || length > 0 || t.flags & 0x07) {
      out.s += `, seq ${seq}`;
      if (length > 0) out.s += `:${(seq + length) >>> 0}`;
    }
    if (hasAck) out.s += `, ack ${ack}`;
    out.s += `, win ${t.window}`;
    if (t.flags & 0x20) out.s += `, urg ${t.urgentPointer}`;
    if (t.length > 20) {
      out.s += ', options [';
      if (!optionsText(c, out, t.offset + 20, t.length - 20, sackBase)) return;
      out.s += ']';
    }
    out.s += `, length ${length}`;
    if (length > 0) out.s += payloadText(c, i, t, t.offset + t.length, length);
  }, head);
}
