/** IGMP v1/v2 (and the first words of v3): "igmp query v2 [max resp time 10] [gaddr 225.1.1.3]", "igmp v2 report G". */
import type { IgmpLayer } from '../../../index';
import type { IpInfo } from './ip';

export function igmpText(l: IgmpLayer, ip: IpInfo): string {
  const len = ip.payloadLength;
  const lenNote = len !== 8 ? ` [len ${len}]` : '';
  const group = l.group ?? '0.0.0.0';
  switch (l.type) {
    case 0x11: {
      if (len >= 12) return 'igmp query v3';
      let s = 'igmp query';
      if (l.maxResponse) s += ` v2${l.maxResponse !== 100 ? ` [max resp time ${l.maxResponse}]` : ''}`;
      else s += ' v1';
      if (group !== '0.0.0.0') s += ` [gaddr ${group}]`;
      return s + lenNote;
    }
    case 0x12: return `igmp v1 report ${group}${lenNote}`;
    case 0x16: return `igmp v2 report ${group}${lenNote}`;
    case 0x22: return 'igmp v3 report';
    case 0x17: return `igmp leave ${group}${lenNote}`;
    default: return `igmp-${l.type}`;
  }
}
