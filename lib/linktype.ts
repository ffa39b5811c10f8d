/**
 * Link types (libpcap's DLT_* / LINKTYPE_* numbers) that live capture
 * produces. Numbers, not an enum, so they compare with what libpcap,
 * tcpdump and pcap files use.
 */
export const LinkType = Object.freeze({
  /** DLT_NULL: BSD loopback. */
  NULL: 0,
  /** DLT_EN10MB: Ethernet (and Linux's lo). */
  ETHERNET: 1,
  /** DLT_RAW: raw IP. */
  RAW: 101,
  /** DLT_LINUX_SLL: Linux "cooked" capture (the `any` device). */
  LINUX_SLL: 113,
  /** DLT_LINUX_SLL2. */
  LINUX_SLL2: 276,
});

const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 101: 'RAW', 113: 'LINUX_SLL', 276: 'LINUX_SLL2',
};

/** libpcap's name for a link type ("EN10MB"), or "DLT_<n>". */
export function linkTypeName(linktype: number): string {
  return NAMES[linktype] ?? `DLT_${linktype}`;
}
