/**
 * BOOTP / DHCP (UDP 67, 68): "BOOTP/DHCP, Request from 02:00:00:00:00:0a,
 * length 300"; -v adds the header fields and the RFC 1048 options (the
 * common ones decoded, others as hex).
 */
import { be16, be32, catchTrunc, hex, need, type PrintContext } from './context';
import { bytesText, ipv4Text, macText } from './text';

/** Option names and how their values print: i addresses, l 32-bit, s 16-bit, b byte, a text, p parameter list. */
const OPTIONS: Record<number, [string, string]> = {
  1: ['Subnet-Mask', 'i'], 2: ['Time-Zone', 'L'], 3: ['Default-Gateway', 'i'], 4: ['Time-Server', 'i'],
  6: ['Domain-Name-Server', 'i'], 12: ['Hostname', 'a'], 15: ['Domain-Name', 'a'], 26: ['MTU', 's'], 28: ['BR', 'i'],
  42: ['NTP', 'i'], 44: ['NETBIOS-Name-Server', 'i'], 50: ['Requested-IP', 'i'], 51: ['Lease-Time', 'l'],
  54: ['Server-ID', 'i'], 55: ['Parameter-Request', 'p'], 56: ['MSG', 'a'], 57: ['MSZ', 's'], 58: ['RN', 'l'],
  59: ['RB', 'l'], 60: ['Vendor-Class', 'a'], 66: ['TFTP', 'a'], 67: ['BF', 'a'],
};
const MESSAGES = ['', 'Discover', 'Offer', 'Request', 'Decline', 'ACK', 'NACK', 'Release', 'Inform'];

function optionsText(c: PrintContext, at: number, end: number): string {
  const b = c.bytes;
  let s = '\n\t  Vendor-rfc1048 Extensions\n\t    Magic Cookie 0x63825363';
  let p = at;
  while (p < end) {
    need(c, p, 1, 'bootp');
    const tag = b[p++];
    if (tag === 0) continue;
    if (tag === 255) break;
    need(c, p, 1, 'bootp');
    const len = b[p++];
    need(c, p, len, 'bootp');
    const [name, kind] = tag === 53 ? ['DHCP-Message', 'm'] : tag === 61 ? ['Client-ID', 'c'] : OPTIONS[tag] ?? [`unknown-${tag}`, 'x'];
    s += `\n\t    ${name} (${tag}), length ${len}: `;
    switch (kind) {
      case 'm': s += MESSAGES[b[p]] ?? `Unknown (${b[p]})`; break;
      case 'c':
        if (b[p] === 1 && len === 7) s += `ether ${macText(b, p + 1)}`;
        else s += `hardware-type ${b[p]}, ${Array.from(b.subarray(p + 1, p + len), (x) => hex(x, 2)).join(':')}`;
        break;
      case 'i': {
        const list: string[] = [];
        for (let k = 0; k + 4 <= len; k += 4) list.push(ipv4Text(b, p + k));
        s += list.join(',');
        break;
      }
      case 'l': s += `${be32(b, p)}`; break;
      case 'L': s += `${be32(b, p) | 0}`; break;
      case 's': s += `${be16(b, p)}`; break;
      case 'a': s += `"${bytesText(b, p, len, false)}"`; break;
      case 'p': {
        const names = Array.from(b.subarray(p, p + len), (t) => `${t === 53 ? 'DHCP-Message' : t === 61 ? 'Client-ID'
          : OPTIONS[t]?.[0] ?? `Option ${t}`} (${t})`);
        for (let k = 0; k < names.length; k += 5) s += `\n\t      ${names.slice(k, k + 5).join(', ')}`;
        break;
      }
      default: s += Array.from(b.subarray(p, p + len), (x) => hex(x, 2)).join('');
    }
    p += len;
  }
  return s;
}

export function bootpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  return catchTrunc((out) => {
    need(c, at, 1, 'bootp');
    const op = b[at];
    out.s += `BOOTP/DHCP, ${op === 1 ? 'Request' : op === 2 ? 'Reply' : `unknown (0x${hex(op, 2)})`}`;
    need(c, at, 3, 'bootp');
    const htype = b[at + 1];
    const hlen = b[at + 2];
    if (htype === 1 && hlen === 6 && op === 1) { need(c, at + 28, 6, 'bootp'); out.s += ` from ${macText(b, at + 28)}`; }
    out.s += `, length ${length}`;
    if (c.o.verbose === 0) return;
    need(c, at, 12, 'bootp');
    if (htype !== 1) out.s += `, htype ${htype}`;
    if (htype !== 1 || hlen !== 6) out.s += `, hlen ${hlen}`;
    if (b[at + 3]) out.s += `, hops ${b[at + 3]}`;
    if (be32(b, at + 4)) out.s += `, xid 0x${hex(be32(b, at + 4))}`;
    if (be16(b, at + 8)) out.s += `, secs ${be16(b, at + 8)}`;
    const flags = be16(b, at + 10);
    out.s += `, Flags [${flags & 0x8000 ? 'Broadcast' : 'none'}]`;
    if (c.o.verbose > 1) out.s += ` (0x${hex(flags, 4)})`;
    const addrs: [number, string][] = [[12, 'Client-IP'], [16, 'Your-IP'], [20, 'Server-IP'], [24, 'Gateway-IP']];
    for (const [off, name] of addrs) {
      need(c, at + off, 4, 'bootp');
      if (be32(b, at + off)) out.s += `\n\t  ${name} ${ipv4Text(b, at + off)}`;
    }
    if (htype === 1 && hlen === 6) { need(c, at + 28, 6, 'bootp'); out.s += `\n\t  Client-Ethernet-Address ${macText(b, at + 28)}`; }
    need(c, at + 44, 1, 'bootp');
    if (b[at + 44]) out.s += `\n\t  sname "${bytesText(b, at + 44, 64)}"`;
    need(c, at + 108, 1, 'bootp');
    if (b[at + 108]) out.s += `\n\t  file "${bytesText(b, at + 108, 128)}"`;
    need(c, at + 236, 4, 'bootp');
    if (be32(b, at + 236) === 0x63825363) out.s += optionsText(c, at + 240, at + length);
    else if (be32(b, at + 236)) out.s += `\n\t  Vendor-#0x${hex(be32(b, at + 236))}`;
  });
}
