/** npm pcap's `pcap/decode/ipv4` (the class lives in compat/pcap-internal/ip.ts, see there why). */
import { IPv4 } from '../../pcap-internal/ip';

export = IPv4;
