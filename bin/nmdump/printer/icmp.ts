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

/** The address at bytes 8-23 (MLD's group, ND's target) when the decoder left it out. */
function addressAt8(c: PrintContext, l: Icmpv6Layer, decoded: string | undefined): string {
  if (decoded !== undefined) return decoded;
  return l.offset + 24 <= c.bytes.length ? formatIPv6(c.bytes, l.offset + 8) : '';
}

const NA_FLAGS: [number, string][] = [[0x80, 'router'], [0x40, 'solicited'], [0x20, 'override']];

export function icmpv6Text(c: PrintContext, l: Icmpv6Layer, ip: IpInfo): string {
  const name = ICMP6_TYPES[l.type] ?? `icmp6 type-#${l.type}`;
  const v = c.o.verbose > 0;
  const sum = v ? bracketChecksum(c, ip, l.offset, ip.payloadLength, 2, 58, 'icmp6') : '';
  // With -v tcpdump moves the length forward for ND and drops it for echo.
  const lengthText = `, length ${ip.payloadLength}`;
  let s: string;
  switch (l.type) {
    case 128: case 129:
      s = `${name}, id ${l.id}, seq ${l.seq}`;
      return `${sum}ICMP6, ${s}${v ? '' : lengthText}`;
    case 135:
      s = `who has ${addressAt8(c, l, l.targetAddress)}`;
      return `${sum}ICMP6, ${name}${v ? `${lengthText}, ${s}` : `, ${s}${lengthText}`}`;
    case 136: {
      s = `tgt is ${addressAt8(c, l, l.targetAddress)}`;
      const flags = NA_FLAGS.filter(([bit]) => (l.ndFlags ?? c.bytes[l.offset + 4]) & bit).map(([, n]) => n).join(', ');
      return `${sum}ICMP6, ${name}${v ? `${lengthText}, ${s}, Flags [${flags || 'none'}]` : `, ${s}${lengthText}`}`;
    }
    case 2: s = `${name}, mtu ${l.mtu}`; break;
    case 137: s = `${name}, ${l.targetAddress} to ${l.destinationAddress}`; break;
    case 130: s = ip.payloadLength > 24 ? `${name} v2 [gaddr ${addressAt8(c, l, l.multicastAddress)}]`
      : `${name} max resp delay: ${l.maxResponseDelay} addr: ${addressAt8(c, l, l.multicastAddress)}`; break;
    case 131: case 132: s = `${name} max resp delay: ${l.maxResponseDelay} addr: ${l.multicastAddress}`; break;
    case 143: s = `${name}, ${ip.payloadLength >= 8 ? u16(c.bytes, l.offset + 6) : 0} group record(s)`; break;
    default: s = name;
  }
  return `${sum}ICMP6, ${s}${lengthText}`;
}
