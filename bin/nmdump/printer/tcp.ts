/**
 * TCP, as tcpdump prints it:
 *   Flags [S.], seq 1:59, ack 1, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 58
 * seq/ack relative after the handshake (see tcp-seq.ts); -v adds the
 * checksum; DNS on port 53 follows the length.
 */
import type { TcpLayer, TcpOption } from '../../../index';
import { layerAt, PrintContext } from './context';
import { dnsText } from './dns';
import type { IpInfo } from './ip';
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

const hexBytes = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

function optionText(opt: TcpOption, sackBase: number): string {
  const name = OPTION_NAMES[opt.code] ?? `unknown-${opt.code}`;
  switch (opt.name) {
    case 'mss': return `${name} ${opt.mss}`;
    case 'wscale': return `${name} ${opt.shift}`;
    case 'timestamp': return `${name} val ${opt.tsval} ecr ${opt.tsecr}`;
    case 'sack': return `${name} ${opt.blocks.length} ${opt.blocks
      .map(([l, r]) => `{${(l - sackBase) >>> 0}:${(r - sackBase) >>> 0}}`).join('')}`;
    case 'md5': return `${name} ${hexBytes(opt.digest)}`;
    case 'uto': {
      const raw = opt.granularityMinutes ? (opt.timeout << 1) | 1 : opt.timeout << 1;
      return `${name} 0x${raw.toString(16)} ${opt.granularityMinutes ? opt.timeout * 60 : opt.timeout}`;
    }
    case 'unknown': return opt.data.length ? `${name} 0x${hexBytes(opt.data)}` : name;
    default: return name;
  }
}

/** The TCP part of an IPv4 or IPv6 line; `i` is the TCP layer's index. */
export function tcpText(c: PrintContext, i: number, ip: IpInfo): string {
  const t = layerAt(c, i, 'tcp') as TcpLayer;
  const head = `${ip.src}.${t.srcPort} > ${ip.dst}.${t.dstPort}: `;
  const length = ip.payloadLength - t.length;
  if (c.o.quiet) return `${head}tcp ${length}`;
  let s = `${head}Flags [${flagsText(t.flags & 0xff)}]`;
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
    if (sum !== undefined) s += `, cksum 0x${t.checksum.toString(16).padStart(4, '0')} (${sum})`;
  }
  if (c.o.verbose > 1 || length > 0 || t.flags & 0x07) {
    s += `, seq ${seq}`;
    if (length > 0) s += `:${(seq + length) >>> 0}`;
  }
  if (hasAck) s += `, ack ${ack}`;
  s += `, win ${t.window}`;
  if (t.flags & 0x20) s += `, urg ${t.urgentPointer}`;
  if (t.options.length > 0) s += `, options [${t.options.map((o) => optionText(o, sackBase)).join(',')}]`;
  s += `, length ${length}`;
  const dns = layerAt(c, i + 1, 'dns');
  if (dns && length > 0) s += ` ${dnsText(c, dns, length - 2)}`;
  return s;
}
