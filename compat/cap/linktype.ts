/**
 * The string `Cap#open()` returns for a link type: cap 0.2.1's five names,
 * and "Unknown linktype N" for the rest (N is libpcap's DLT_ number).
 */
const NAMES: Readonly<Record<number, string>> = {
  0: 'NULL', // DLT_NULL
  1: 'ETHERNET', // DLT_EN10MB
  127: 'IEEE802_11_RADIO', // DLT_IEEE802_11_RADIO (monitor mode)
  113: 'LINKTYPE_LINUX_SLL', // DLT_LINUX_SLL (the `any` device)
  // DLT_RAW is 12 on Linux, 14 on OpenBSD; capture files and this library's
  // sessions use LINKTYPE_RAW (101) for the same link type.
  12: 'RAW',
  14: 'RAW',
  101: 'RAW',
};

export function capLinkType(dlt: number): string {
  return NAMES[dlt] ?? `Unknown linktype ${dlt}`;
}
