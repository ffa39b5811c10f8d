/**
 * ICMP and ICMPv6 summaries: "ICMP echo request, id 1, seq 1, length 64",
 * "ICMP6, neighbor solicitation, who has fe80::1, length 32".
 */
import type { IcmpLayer, Icmpv6Layer } from '../../../index';
import { formatIPv4, formatIPv6 } from '../../../index';
import { bracketChecksum } from './checksum';
import type { PrintContext } from './context';
import type { IpInfo } from './ip';

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply', 3: 'unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 9: 'router advertisement',
  10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem', 13: 'time stamp request',
  14: 'time stamp reply', 15: 'information request', 16: 'information reply', 17: 'address mask request',
  18: 'address mask reply',
};

const u16 = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];

/** "198.18.0.2 udp port 9 unreachable" from the quoted datagram. */
function unreachableText(c: PrintContext, l: IcmpLayer): string {
  const inner = l.offset + 8;
  const b = c.bytes;
  if (inner + 20 > b.length) return 'unreachable';
  const dst = formatIPv4(((b[inner + 16] << 24) | (b[inner + 17] << 16) | (b[inner + 18] << 8) | b[inner + 19]) >>> 0);
  const proto = b[inner + 9];
  const port = inner + (b[inner] & 0xf) * 4 + 2;
  switch (l.code) {
    case 0: return `net ${dst} unreachable`;
    case 1: return `host ${dst} unreachable`;
    case 2: return `${dst} protocol ${proto} unreachable`;
    case 3: return port + 2 <= b.length && (proto === 6 || proto === 17)
      ? `${dst} ${proto === 6 ? 'tcp' : 'udp'} port ${u16(b, port)} unreachable` : `${dst} protocol ${proto} port unreachable`;
    case 4: return `${dst} unreachable - need to frag (mtu ${l.mtu ?? 0})`;
    case 13: return `host ${dst} unreachable - admin prohibited filter`;
    default: return `${dst} unreachable - #${l.code}`;
  }
}

export function icmpText(c: PrintContext, l: IcmpLayer, ip: IpInfo): string {
  let s: string;
  switch (l.type) {
    case 0: case 8: s = `${ICMP_TYPES[l.type]}, id ${l.id}, seq ${l.seq}`; break;
    case 3: s = unreachableText(c, l); break;
    case 11: s = l.code === 1 ? 'ip reassembly time exceeded' : 'time exceeded in-transit'; break;
    case 5: s = `redirect ${l.gateway ?? ''}`.trim(); break;
    default: s = ICMP_TYPES[l.type] ?? `type-#${l.type}`;
  }
  return `ICMP ${s}, length ${ip.payloadLength}`;
}

const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 143: 'multicast listener report v2',
};

/** The multicast address of an MLD message (bytes 8-23). */
function groupAddress(c: PrintContext, l: Icmpv6Layer): string {
  if (l.multicastAddress !== undefined) return l.multicastAddress;
  return l.offset + 24 <= c.bytes.length ? formatIPv6(c.bytes.subarray(l.offset + 8, l.offset + 24)) : '';
}

export function icmpv6Text(c: PrintContext, l: Icmpv6Layer, ip: IpInfo): string {
  const name = ICMP6_TYPES[l.type] ?? `icmp6 type-#${l.type}`;
  let s: string;
  switch (l.type) {
    case 128: case 129: s = `${name}, id ${l.id}, seq ${l.seq}`; break;
    case 2: s = `${name}, mtu ${l.mtu}`; break;
    case 135: s = `${name}, who has ${l.targetAddress}`; break;
    case 136: s = `${name}, tgt is ${l.targetAddress}`; break;
    case 137: s = `${name}, ${l.targetAddress} to ${l.destinationAddress}`; break;
    case 130: s = ip.payloadLength > 24 ? `${name} v2 [gaddr ${groupAddress(c, l)}]`
      : `${name} max resp delay: ${l.maxResponseDelay} addr: ${groupAddress(c, l)}`; break;
    case 131: case 132: s = `${name} max resp delay: ${l.maxResponseDelay} addr: ${l.multicastAddress}`; break;
    case 143: s = `${name}, ${ip.payloadLength >= 8 ? u16(c.bytes, l.offset + 6) : 0} group record(s)`; break;
    default: s = name;
  }
  const sum = c.o.verbose > 0 ? bracketChecksum(c, ip, l.offset, ip.payloadLength, 2, 58, 'icmp6') : '';
  return `${sum}ICMP6, ${s}, length ${ip.payloadLength}`;
}
