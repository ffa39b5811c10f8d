/**
 * npm pcap's `pcap/decode/ip_protocols`: an array indexed by IP protocol
 * number holding the payload decoder classes (TCP at 6, UDP at 17, ...).
 */
import { protocols } from '../../pcap-internal/ip';

export = protocols;
