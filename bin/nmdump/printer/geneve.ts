/** Geneve (UDP 6081): "Geneve, Flags [none], vni 0x64: " and the carried frame or packet. */
import { catchTrunc, hex, need, type PrintContext } from './context';
import { ETHERTYPE_NAMES } from './names';

export function geneveText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  return catchTrunc((out) => {
    if (length < 8) { out.s += ` [length ${length} < 8] (invalid)`; return; }
    need(c, at, 8, 'geneve');
    const verOpt = b[at];
    if (verOpt >> 6 !== 0) { out.s += ` ERROR: unknown-version ${verOpt >> 6}`; return; }
    const flags = b[at + 1];
    const proto = (b[at + 2] << 8) | b[at + 3];
    const vni = (b[at + 4] << 16) | (b[at + 5] << 8) | b[at + 6];
    out.s += `, Flags [${(flags & 0x80 ? 'O' : '') + (flags & 0x40 ? 'C' : '') || 'none'}], vni 0x${hex(vni)}`;
    if (b[at + 7]) out.s += `, rsvd 0x${hex(b[at + 7])}`;
    if (c.o.linkHeader) out.s += `, proto ${ETHERTYPE_NAMES[proto] ?? 'unknown'} (0x${hex(proto, 4)})`;
    const optsLen = (verOpt & 0x3f) * 4;
    if (length - 8 < optsLen) { out.s += ` truncated-geneve - ${optsLen - (length - 8)} bytes missing`; return; }
    need(c, at + 8, optsLen, 'geneve');
    if (optsLen > 0) {
      if (c.o.verbose > 0) { out.s += ', options [ [|geneve]'; return; }
      out.s += `, options [${optsLen} bytes]`;
    }
    out.s += c.o.verbose > 0 ? '\n\t' : ': ';
    const inner = at + 8 + optsLen;
    const end = at + length;
    switch (proto) {
      case 0x0800: out.s += c.inner('ipv4', inner, end); break;
      case 0x86dd: out.s += c.inner('ipv6', inner, end); break;
      case 0x0806: out.s += c.inner('arp', inner, end); break;
      case 0x6558: out.s += c.inner('ethernet', inner, end); break;
      default: out.s += `geneve-proto-0x${hex(proto)}`;
    }
  }, 'Geneve');
}
