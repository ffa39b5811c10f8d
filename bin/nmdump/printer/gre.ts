/**
 * GRE (IP protocol 47): "GREv0, key=0x64, length 92: IP ..." with the
 * carried packet (IPv4, IPv6, MPLS, or Ethernet for TEB); version 1
 * (PPTP) prints its call, sequence and ack numbers.
 */
import { be16, be32, catchTrunc, hex, need, type PrintContext } from './context';
import { mplsText } from './ethertypes';
import { ETHERTYPE_NAMES } from './names';

const CP = 0x8000;
const RP = 0x4000;
const KP = 0x2000;
const SP = 0x1000;
const AP = 0x0080;
const FLAG_NAMES: [number, string][] = [[CP, 'checksum present'], [RP, 'routing present'], [KP, 'key present'],
  [SP, 'sequence# present'], [0x0800, 'source routing present'], [AP, 'ack present']];

export function greText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  const v = c.o.verbose > 0;
  return catchTrunc((out) => {
    let len = length;
    const take = (n: number): number => {
      need(c, at, n, 'gre');
      if (len < n) throw new RangeError();
      const p = at;
      at += n;
      len -= n;
      return p;
    };
    try {
      need(c, at, 2, 'gre');
      if (len < 2) throw new RangeError();
      const flags = be16(b, at);
      const version = flags & 7;
      out.s += `GREv${version}`;
      if (version > 1) { out.s += ' ERROR: unknown-version'; return; }
      take(2);
      if (v) out.s += `, Flags [${FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n).join(', ') || 'none'}]`;
      const proto = be16(b, take(2));
      if (version === 0) {
        if (flags & (CP | RP)) {
          const sum = be16(b, take(2));
          if (v) out.s += `, sum 0x${hex(sum)}`;
          out.s += `, off 0x${hex(be16(b, take(2)))}`;
        }
        if (flags & KP) out.s += `, key=0x${hex(be32(b, take(4)))}`;
        if (flags & SP) out.s += `, seq ${be32(b, take(4))}`;
        if (flags & RP) { out.s += ' [|gre]'; return; }
      } else {
        if (flags & KP) out.s += `, call ${be32(b, take(4)) & 0xffff}`;
        if (flags & SP) out.s += `, seq ${be32(b, take(4))}`;
        if (flags & AP) out.s += `, ack ${be32(b, take(4))}`;
        if (!(flags & SP)) out.s += ', no-payload';
      }
      if (c.o.linkHeader) out.s += `, proto ${ETHERTYPE_NAMES[proto] ?? 'unknown'} (0x${hex(proto, 4)})`;
      out.s += `, length ${length}`;
      if (version === 1 && !(flags & SP)) return;
      out.s += v ? '\n\t' : ': ';
      const end = at + len;
      if (version === 0 && proto === 0x0800) out.s += c.inner('ipv4', at, end);
      else if (version === 0 && proto === 0x86dd) out.s += c.inner('ipv6', at, end);
      else if (version === 0 && proto === 0x8847) out.s += mplsText(c, at, len);
      else if (version === 0 && proto === 0x6558) out.s += c.inner('ethernet', at, end);
      else out.s += `gre-proto-0x${hex(proto)}`;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      out.s += ' [|gre]';
    }
  });
}
