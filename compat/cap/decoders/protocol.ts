/**
 * cap's `decoders.PROTOCOL`: EtherTypes (`PROTOCOL.ETHERNET`) and IP
 * protocol numbers (`PROTOCOL.IP`), both ways: `PROTOCOL.IP.TCP === 6` and
 * `PROTOCOL.IP[6] === 'TCP'`. The names and numbers are the IANA registry
 * entries cap 0.2.1 lists (IANA, 2012); where two names share a number
 * (84: TTP, IPTM) the number maps to the later one, as in cap.
 */

const ETHERNET_TYPES = {
  IPV4: 2048, 'X.75': 2049, CHAOSNET: 2052, 'X.25': 2053, ARP: 2054, 'ARP-RELAY': 2056,
  TRILL: 8947, 'L2-IS-IS': 8948, 'ARP-REVERSE': 32821, APPLETALK: 32923, 'APPLETALK-AARP': 33011,
  VLAN: 33024, SNMP: 33100, XTP: 33149, IPV6: 34525, 'TCPIP-COMPRESS': 34667, PPP: 34827,
  GSMP: 34828, 'PPPOE-DISCOVER': 34915, 'PPPOE-SESSION': 34916, LOOPBACK: 36864,
};

const IP_PROTOCOLS = {
  HOPOPT: 0, ICMP: 1, IGMP: 2, GGP: 3, IPV4: 4, ST: 5, TCP: 6, CBT: 7, EGP: 8, IGP: 9,
  'BBN-RCC-MON': 10, 'NVP-II': 11, PUP: 12, ARGUS: 13, EMCON: 14, XNET: 15, CHAOS: 16, UDP: 17,
  MUX: 18, 'DCN-MEAS': 19, HMP: 20, PRM: 21, 'XNS-IDP': 22, 'TRUNK-1': 23, 'TRUNK-2': 24,
  'LEAF-1': 25, 'LEAF-2': 26, RDP: 27, IRTP: 28, 'ISO-TP4': 29, NETBLT: 30, 'MFE-NSP': 31,
  'MERIT-INP': 32, DCCP: 33, '3PC': 34, IDPR: 35, XTP: 36, DDP: 37, 'IDPR-CMTP': 38, 'TP++': 39,
  IL: 40, IPV6: 41, SDRP: 42, 'IPV6-ROUTE': 43, 'IPV6-FRAG': 44, IDRP: 45, RSVP: 46, GRE: 47,
  DSR: 48, BNA: 49, ESP: 50, AH: 51, 'I-NLSP': 52, SWIPE: 53, NARP: 54, MOBILE: 55, TLSP: 56,
  SKIP: 57, ICMPV6: 58, 'IPV6-NONXT': 59, 'IPV6-OPTS': 60, CFTP: 62, 'SAT-EXPAK': 64,
  KRYPTOLAN: 65, RVD: 66, IPPC: 67, 'SAT-MON': 69, VISA: 70, IPCV: 71, CPNX: 72, CPHB: 73, WSN: 74,
  PVP: 75, 'BR-SAT-MON': 76, 'SUN-ND': 77, 'WB-MON': 78, 'WB-EXPAK': 79, 'ISO-IP': 80, VMTP: 81,
  'SECURE-VMTP': 82, VINES: 83, TTP: 84, IPTM: 84, 'NSFNET-IGP': 85, DGP: 86, TCF: 87, EIGRP: 88,
  OSPFIGP: 89, 'SPRITE-RPC': 90, LARP: 91, MTP: 92, 'AX.25': 93, IPIP: 94, MICP: 95, 'SCC-SP': 96,
  ETHERIP: 97, ENCAP: 98, GMTP: 100, IFMP: 101, PNNI: 102, PIM: 103, ARIS: 104, SCPS: 105,
  QNX: 106, 'A/N': 107, IPCOMP: 108, SNP: 109, 'COMPAQ-PEER': 110, 'IPX-IN-IP': 111, VRRP: 112,
  PGM: 113, L2TP: 115, DDX: 116, IATP: 117, STP: 118, SRP: 119, UTI: 120, SMP: 121, SM: 122,
  PTP: 123, ISIS: 124, FIRE: 125, CRTP: 126, CRUDP: 127, SSCOPMCE: 128, IPLT: 129, SPS: 130,
  PIPE: 131, SCTP: 132, FC: 133, 'RSVP-E2E-IGNORE': 134, 'MOBILITY HEADER': 135, UDPLITE: 136,
  'MPLS-IN-IP': 137, MANET: 138, HIP: 139, SHIM6: 140, WESP: 141, ROHC: 142,
};

/** A table of names → numbers, plus numbers → names. */
export type ProtocolTable = Record<string, number | string>;

/** The forward table with every number added as a key naming its protocol. */
function bothWays(forward: Record<string, number>): ProtocolTable {
  const table: ProtocolTable = { ...forward };
  for (const [name, number] of Object.entries(forward)) table[number] = name;
  return table;
}

export const PROTOCOL: { ETHERNET: ProtocolTable; IP: ProtocolTable } = {
  ETHERNET: bothWays(ETHERNET_TYPES),
  IP: bothWays(IP_PROTOCOLS),
};
