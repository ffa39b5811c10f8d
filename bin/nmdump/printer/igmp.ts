/** IGMP v1, v2 and v3: "igmp query v2 [max resp time 50] [gaddr 239.1.2.3]", "igmp v3 report, 2 group record(s)". */
import { checksumAdd, checksumFinish } from '../../../index';
import { be16, be32, catchTrunc, need, type PrintContext } from './context';
import type { IpInfo } from './ip';
import { ipv4Text as addr } from './text';

const RECORDS: Record<number, string> = { 1: 'is_in', 2: 'is_ex', 3: 'to_in', 4: 'to_ex', 5: 'allow', 6: 'block' };

function v3Query(c: PrintContext, at: number, len: number): string {
  const b = c.bytes;
  let s = ' v3';
  if (len < 12 || len & 3) return `${s} [invalid len ${len}]`;
  need(c, at, 12, 'igmp');
  const mrc = b[at + 1];
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) s += ` [max resp time ${mrt < 600 ? `${(mrt * 0.1).toFixed(1)}s` : `${Math.floor(mrt / 10)}s`}]`;
  if (be32(b, at + 4) === 0) return s;
  s += ` [gaddr ${addr(b, at + 4)}`;
  const nsrcs = be16(b, at + 10);
  if (nsrcs > 0) {
    if (len < 12 + nsrcs * 4) s += ' [invalid number of sources]';
    else if (c.o.verbose > 1) {
      s += ' {';
      for (let k = 0; k < nsrcs; k++) { need(c, at + 12 + k * 4, 4, 'igmp'); s += ` ${addr(b, at + 12 + k * 4)}`; }
      s += ' }';
    } else s += `, ${nsrcs} source(s)`;
  }
  return `${s}]`;
}

function v3Report(c: PrintContext, at: number, len: number): string {
  const b = c.bytes;
  if (len < 16 || len & 3) return ` [invalid len ${len}]`;
  need(c, at, 8, 'igmp');
  const groups = be16(b, at + 6);
  let s = `, ${groups} group record(s)`;
  if (c.o.verbose === 0) return s;
  let g = 8;
  for (let k = 0; k < groups; k++) {
    if (len < g + 8) return `${s} [invalid number of groups]`;
    need(c, at + g, 8, 'igmp');
    s += ` [gaddr ${addr(b, at + g + 4)} ${RECORDS[b[at + g]] ?? ` [v3-report-#${b[at + g]}]`}`;
    const nsrcs = be16(b, at + g + 2);
    if (len < g + 8 + nsrcs * 4) return `${s} [invalid number of sources ${nsrcs}]`;
    if (c.o.verbose === 1) s += `, ${nsrcs} source(s)`;
    else {
      s += ' {';
      for (let j = 0; j < nsrcs; j++) { need(c, at + g + 8 + j * 4, 4, 'igmp'); s += ` ${addr(b, at + g + 8 + j * 4)}`; }
      s += ' }';
    }
    g += 8 + nsrcs * 4;
    s += ']';
  }
  return s;
}

/** The IGMP message at `at` (read from the bytes: a message cut short prints what there is). */
export function igmpText(c: PrintContext, at: number, ip: IpInfo): string {
  const len = ip.payloadLength;
  const b = c.bytes;
  if (c.o.quiet) return 'igmp';
  return catchTrunc((out) => {
    need(c, at, 2, 'igmp');
    const l = { type: b[at] };
    const lenNote = len !== 8 ? ` [len ${len}]` : '';
    const group = (): string => { need(c, at + 4, 4, 'igmp'); return addr(b, at + 4); };
    switch (l.type) {
      case 0x11:
        out.s += 'igmp query';
        if (len >= 12) out.s += v3Query(c, at, len);
        else {
          out.s += b[at + 1] ? ` v2${b[at + 1] !== 100 ? ` [max resp time ${b[at + 1]}]` : ''}` : ' v1';
          if (group() !== '0.0.0.0') out.s += ` [gaddr ${group()}]`;
          out.s += lenNote;
        }
        break;
      case 0x12: out.s += `igmp v1 report ${group()}${lenNote}`; break;
      case 0x16: out.s += `igmp v2 report ${group()}`; break;
      case 0x22: out.s += `igmp v3 report${v3Report(c, at, len)}`; break;
      case 0x17: out.s += `igmp leave ${group()}`; break;
      default: out.s += `igmp-${l.type}`;
    }
    if (c.o.verbose > 0 && len >= 4 && at + len <= b.length && checksumFinish(checksumAdd(b, at, at + len)) !== 0) {
      out.s += ` bad igmp cksum ${be16(b, at + 2).toString(16)}!`;
    }
  });
}
