/** ARP: "ARP, Request who-has 198.18.1.0 tell 198.18.0.1, length 46" / "Reply X is-at MAC". */
import type { ArpLayer } from '../../../index';
import type { PrintContext } from './context';
import { ETHERTYPE_NAMES, hex4 } from './names';

const OPS: Record<number, string> = {
  1: 'Request', 2: 'Reply', 3: 'Reverse Request', 4: 'Reverse Reply', 8: 'InArp Request', 9: 'InArp Reply',
};

export function arpText(c: PrintContext, a: ArpLayer): string {
  const length = c.wireLength - a.offset;
  let s = c.o.linkHeader ? '' : 'ARP, ';
  const plain = a.ptype === 0x0800 && a.plen === 4 && a.hlen !== 0;
  if (!plain || c.o.verbose > 0) {
    const hw = a.htype === 1 ? 'Ethernet' : `Unknown Hardware (${a.htype})`;
    const proto = ETHERTYPE_NAMES[a.ptype] ?? `Unknown Protocol (${hex4(a.ptype)})`;
    s += `${hw} (len ${a.hlen}), ${proto} (len ${a.plen})`;
    if (c.o.verbose === 0) return `${s}, length ${length}`;
    s += ', ';
  }
  s += `${OPS[a.op] ?? `Unknown (${a.op})`} `;
  switch (a.op) {
    case 1: s += `who-has ${a.targetProto}${/^[0:]*$/.test(a.targetHw) ? '' : ` (${a.targetHw})`} tell ${a.senderProto}`; break;
    case 2: s += `${a.senderProto} is-at ${a.senderHw}`; break;
    case 3: case 8: s += `who-is ${a.targetHw} tell ${a.senderHw}`; break;
    case 4: s += `${a.targetHw} at ${a.targetProto}`; break;
    case 9: s += `${a.senderHw} at ${a.senderProto}`; break;
    default: break;
  }
  return `${s}, length ${length}`;
}
