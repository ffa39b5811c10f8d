/** Which decoder an EtherType (or SLL/SNAP protocol field) leads to. */
import { P, type Proto } from './state';

export const ETHERTYPE = Object.freeze({
  IPV4: 0x0800,
  ARP: 0x0806,
  RARP: 0x8035,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  QINQ: 0x88a8,
  /** Pre-standard QinQ TPIDs some switches still use. */
  QINQ_OLD1: 0x9100,
  QINQ_OLD2: 0x9200,
});

export function byEtherType(type: number): Proto {
  switch (type) {
    case 0x0800: return P.IPV4;
    case 0x86dd: return P.IPV6;
    case 0x0806: case 0x8035: return P.ARP;
    case 0x8100: case 0x88a8: case 0x9100: case 0x9200: return P.VLAN;
    default: return P.PAYLOAD;
  }
}
