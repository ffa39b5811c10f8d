/** npm pcap's `pcap/decode/ipv6headers/header_extension` (class in compat/pcap-internal/ip.ts). */
import { HeaderExtension } from '../../../pcap-internal/ip';

export = HeaderExtension;
