/** Which decoder an IP protocol number (IPv4 protocol / IPv6 next header) leads to. */
import { P, type Proto } from './state';

export function byIpProtocol(proto: number): Proto {
  switch (proto) {
    case 6: return P.TCP;
    case 17: return P.UDP;
    case 1: return P.ICMP;
    case 58: return P.ICMPV6;
    case 2: return P.IGMP;
    case 4: return P.IPV4; // IP in IP
    case 41: return P.IPV6; // IPv6 in IP
    default: return P.PAYLOAD;
  }
}
