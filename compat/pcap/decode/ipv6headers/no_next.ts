/** npm pcap's `pcap/decode/ipv6headers/no_next` (class in compat/pcap-internal/ip.ts). */
import { NoNext } from '../../../pcap-internal/ip';

export = NoNext;
