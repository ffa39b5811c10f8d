/**
 * The names tcpdump prints for numbers: EtherTypes, IP protocols, DNS
 * types. A number without a name prints as tcpdump prints it (the caller
 * supplies that form).
 */

export const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'Reverse ARP', 0x8100: '802.1Q', 0x86dd: 'IPv6', 0x88a8: '802.1Q-QinQ',
  0x9100: '802.1Q-9100', 0x9200: '802.1Q-9200', 0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast',
  0x8863: 'PPPoE D', 0x8864: 'PPPoE S', 0x88cc: 'LLDP', 0x888e: 'EAPOL', 0x9000: 'Loopback', 0x8809: 'Slow Protocols',
  0x88e5: 'MACsec', 0x8902: 'CFM', 0x88f7: 'PTP', 0x22f0: 'AVB', 0x6558: 'TEB', 0x0842: 'Wake-on-LAN',
};

export const IPPROTO_NAMES: Record<number, string> = {
  0: 'Options', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 8: 'EGP', 9: 'IGRP', 17: 'UDP', 33: 'DCCP', 41: 'IPv6',
  43: 'Routing', 44: 'Fragment', 46: 'RSVP', 47: 'GRE', 50: 'ESP', 51: 'AH', 55: 'Mobile IP', 58: 'ICMPv6',
  62: 'Mobile IP (old)', 88: 'EIGRP', 89: 'OSPF', 103: 'PIM', 108: 'Compressed IP', 112: 'VRRP', 113: 'PGM',
  132: 'SCTP', 135: 'Mobility', 143: 'Ethernet',
};

export const DNS_TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN',
  21: 'RT', 22: 'NSAP', 23: 'NSAP_PTR', 24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC',
  30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG',
  47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP',
  59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF',
  100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID', 105: 'L32', 106: 'L64', 107: 'LP',
  108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR', 252: 'AXFR', 253: 'MAILB', 254: 'MAILA',
  255: 'ANY', 256: 'URI', 257: 'CAA', 32768: 'TA', 32769: 'DLV',
};

export const DNS_CLASS_NAMES: Record<number, string> = { 1: 'IN', 3: 'CHAOS', 4: 'HESIOD', 254: 'NONE', 255: 'ANY' };

/** "0x0800" style, four hex digits. */
export const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** BSD loopback address families (DLT_NULL), as tcpdump names them. */
export const AF_NAMES: Record<number, string> = {
  2: 'IPv4', 7: 'OSI', 16: 'Appletalk', 23: 'IPX', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6',
};
