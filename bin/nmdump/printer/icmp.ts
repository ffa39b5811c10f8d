/**
 * ICMP for IPv4, as tcpdump prints it: "ICMP echo request, id 1, seq 1,
 * length 64", "ICMP redirect 198.18.0.2 to host 198.18.0.3, length 36".
 * -v checks the checksum and prints the datagram an error quotes.
 */
import { checksumAdd, checksumFinish } from '../../../index';
import { be16, be32, catchTrunc, hex, need, type PrintContext } from './context';
import type { IpInfo } from './ip';
import { ipv4Text as addr } from './text';

const NAMES: Record<number, string> = { 0: 'echo reply', 4: 'source quench', 8: 'echo request', 10: 'router solicitation',
  13: 'time stamp request', 14: 'time stamp reply', 15: 'information request', 16: 'information reply', 17: 'address mask request' };

/** Codes of destination unreachable: [prefix before the address, text after it]. */
const UNREACH: Record<number, [string, string]> = {
  0: ['net ', ' unreachable'], 1: ['host ', ' unreachable'], 5: ['', ' unreachable - source route failed'],
  6: ['net ', ' unreachable - unknown'], 7: ['host ', ' unreachable - unknown'], 8: ['', ' unreachable - source host isolated'],
  9: ['net ', ' unreachable - admin prohibited'], 10: ['host ', ' unreachable - admin prohibited'],
  11: ['net ', ' unreachable - tos prohibited'], 12: ['host ', ' unreachable - tos prohibited'],
  13: ['host ', ' unreachable - admin prohibited filter'], 14: ['host ', ' unreachable - host precedence violation'],
  15: ['host ', ' unreachable - precedence cutoff'],
};
const REDIRECT = ['redirect %s to net %g', 'redirect %s to host %g', 'redirect-tos %s to net %g', 'redirect-tos %s to host %g'];
const ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

/** Milliseconds since midnight as "hh:mm:ss.mmm". */
function tstamp(v: number): string {
  const ms = v % 1000;
  let sec = Math.floor(v / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(hrs)}:${two(min)}:${two(sec)}.${String(ms).padStart(3, '0')}`;
}

function lifetimeText(t: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  if (t < 60) return `${t}`;
  if (t < 3600) return `${Math.floor(t / 60)}:${two(t % 60)}`;
  return `${Math.floor(t / 3600)}:${two(Math.floor((t % 3600) / 60))}:${two(t % 60)}`;
}

/** The text between "ICMP " and ", length". */
function bodyText(c: PrintContext, at: number, type: number, code: number): string {
  const b = c.bytes;
  const quoted = at + 8;
  // GET (ends the packet) for the addresses printed; ND_TCHECK (ends ICMP only) where time exceeded checks one.
  const qdst = (early = true): string => { need(c, quoted + 16, 4, 'icmp', early); return addr(b, quoted + 16); };
  switch (type) {
    case 0: case 8: need(c, at, 8, 'icmp'); return `echo ${type === 8 ? 'request' : 'reply'}, id ${be16(b, at + 4)}, seq ${be16(b, at + 6)}`;
    case 3: {
      if (code === 2) { const d = qdst(); need(c, quoted + 9, 1, 'icmp'); return `${d} protocol ${b[quoted + 9]} unreachable`; }
      if (code === 3) {
        need(c, quoted + 9, 1, 'icmp');
        const proto = b[quoted + 9];
        const portAt = quoted + (b[quoted] & 0xf) * 4 + 2;
        need(c, portAt, 2, 'icmp');
        const d = qdst();
        const port = be16(b, portAt);
        return proto === 6 ? `${d} tcp port ${port} unreachable` : proto === 17 ? `${d} udp port ${port} unreachable`
          : `${d} protocol ${proto} port ${port} unreachable`;
      }
      if (code === 4) {
        need(c, at + 6, 2, 'icmp');
        const mtu = be16(b, at + 6);
        const d = qdst();
        return mtu ? `${d} unreachable - need to frag (mtu ${mtu})` : `${d} unreachable - need to frag`;
      }
      const [pre, post] = UNREACH[code] ?? ['', ` unreachable - #${code}`];
      return `${pre}${qdst()}${post}`;
    }
    case 5: {
      const d = qdst();
      need(c, at + 4, 4, 'icmp');
      const g = addr(b, at + 4);
      return (REDIRECT[code] ?? `redirect-#${code} %s to %g`).replace('%s', d).replace('%g', g);
    }
    case 9: {
      need(c, at + 4, 4, 'icmp');
      const num = b[at + 4];
      let s = `router advertisement lifetime ${lifetimeText(be16(b, at + 6))} ${num}:`;
      if (b[at + 5] !== 2) return `${s} [size ${b[at + 5]}]`;
      for (let k = 0; k < num; k++) {
        need(c, at + 8 + k * 8, 8, 'icmp');
        s += ` {${addr(b, at + 8 + k * 8)} ${be32(b, at + 12 + k * 8)}}`;
      }
      return s;
    }
    case 11: qdst(false); return code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
    case 12: need(c, at + 4, 1, 'icmp'); return code ? `parameter problem - code ${code}` : `parameter problem - octet ${b[at + 4]}`;
    case 18: need(c, at + 8, 4, 'icmp'); return `address mask is 0x${hex(be32(b, at + 8), 8)}`;
    case 13: need(c, at, 8, 'icmp'); return `time stamp query id ${be16(b, at + 4)} seq ${be16(b, at + 6)}`;
    case 14:
      need(c, at + 16, 4, 'icmp');
      return `time stamp reply id ${be16(b, at + 4)} seq ${be16(b, at + 6)}: org ${tstamp(be32(b, at + 8))}, `
        + `recv ${tstamp(be32(b, at + 12))}, xmit ${tstamp(be32(b, at + 16))}`;
    default: return NAMES[type] ?? `type-#${type}`;
  }
}

/** The ICMP message at `at` (read from the bytes: a message cut short prints what there is). */
export function icmpText(c: PrintContext, at: number, ip: IpInfo): string {
  const b = c.bytes;
  const plen = ip.payloadLength;
  return catchTrunc((out) => {
    need(c, at, 2, 'icmp');
    const l = { type: b[at], code: b[at + 1], checksum: at + 4 <= b.length ? be16(b, at + 2) : 0 };
    out.s += `ICMP ${bodyText(c, at, l.type, l.code)}, length ${plen}`;
    if (c.o.verbose === 0) return;
    if (!ip.fragmented && at + plen <= b.length) {
      const sum = checksumFinish(checksumAdd(b, at, at + plen));
      if (sum !== 0) {
        const should = checksumFinish(checksumAdd(b, at, at + plen) - l.checksum);
        out.s += ` (wrong icmp cksum ${hex(l.checksum)} (->${hex(should)})!)`;
      }
    }
    if (ERROR_TYPES.has(l.type)) {
      out.s += '\n\t';
      need(c, at + 8 + 2, 2, 'icmp');
      const inner = at + 8;
      out.s += c.inner('ipv4', inner, inner + be16(b, inner + 2));
    }
  });
}
