/**
 * `require('cap').decoders`: cap 0.2.1's header decoders, each returning
 * `{ info, offset }` (plus `hdrlen` for IPv4 and TCP) with cap's field
 * names and units, and its PROTOCOL tables. Also reachable as
 * `require('cap/lib/Decoders')` through the require hook.
 */
export { Ethernet } from './ethernet';
export { IPV4 } from './ipv4';
export { IPV6 } from './ipv6';
export { ICMPV4 } from './icmpv4';
export { TCP } from './tcp';
export { UDP } from './udp';
export { SCTP } from './sctp';
export { ARP } from './arp';
export { PROTOCOL } from './protocol';
export type { EthernetInfo, EthernetResult, VlanInfo } from './ethernet';
export type { IPv4Info, IPv4Result } from './ipv4';
export type { IPv6Info, IPv6Result } from './ipv6';
export type { ICMPv4Info, ICMPv4Result, QuotedIPv4 } from './icmpv4';
export type { TCPInfo, TCPResult } from './tcp';
export type { UDPInfo, UDPResult } from './udp';
export type { SCTPChunk, SCTPInfo, SCTPResult } from './sctp';
export type { ARPInfo, ARPResult } from './arp';
export type { ProtocolTable } from './protocol';
