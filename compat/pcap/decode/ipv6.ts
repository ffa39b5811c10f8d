/** npm pcap's `pcap/decode/ipv6` (the class lives in compat/pcap-internal/ip.ts, see there why). */
import { IPv6 } from '../../pcap-internal/ip';

export = IPv6;
