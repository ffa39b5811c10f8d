/**
 * LLDP (EtherType 0x88cc): "LLDP, length 46: switch1" (the system name),
 * and with -v one line per TLV.
 */
import { be16, catchTrunc, need, type PrintContext } from './context';
import { bytesText, ipv4Text, macText, unknownData } from './text';
import { formatIPv6 } from '../../../index';

const TLV_NAMES: Record<number, string> = { 0: 'End', 1: 'Chassis ID', 2: 'Port ID', 3: 'Time to Live', 4: 'Port Description',
  5: 'System Name', 6: 'System Description', 7: 'System Capabilities', 8: 'Management Address', 127: 'Organization specific' };
const CHASSIS: Record<number, string> = { 1: 'Chassis component', 2: 'Interface alias', 3: 'Port component', 4: 'MAC address',
  5: 'Network address', 6: 'Interface name', 7: 'Local' };
const PORT: Record<number, string> = { 1: 'Interface alias', 2: 'Port component', 3: 'MAC address', 4: 'Network Address',
  5: 'Interface Name', 6: 'Agent circuit ID', 7: 'Local' };
const CAPS: [number, string][] = [[0x01, 'Other'], [0x02, 'Repeater'], [0x04, 'Bridge'], [0x08, 'WLAN AP'], [0x10, 'Router'],
  [0x20, 'Telephone'], [0x40, 'Docsis'], [0x80, 'Station Only']];
const capText = (v: number): string => CAPS.filter(([bit]) => v & bit).map(([, n]) => n).join(', ') || 'none';

/** A chassis or port id value by its subtype: MAC, text, or a network address. */
function idText(b: Uint8Array, at: number, len: number, subtype: number, macSubtype: number, addrSubtype: number): string | undefined {
  if (subtype === macSubtype) return len >= 7 ? macText(b, at + 1) : undefined;
  if (subtype === addrSubtype) {
    if (len >= 6 && b[at + 1] === 1) return ipv4Text(b, at + 2);
    if (len >= 18 && b[at + 1] === 2) return formatIPv6(b, at + 2);
    return undefined;
  }
  return subtype >= 1 && subtype <= 7 ? bytesText(b, at + 1, len - 1) : undefined;
}

export function lldpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  const v = c.o.verbose > 0;
  return catchTrunc((out) => {
    out.s += `LLDP, length ${length}`;
    let p = at;
    let left = length;
    while (left >= 2) {
      need(c, p, 2, 'lldp');
      const type = b[p] >> 1;
      const len = be16(b, p) & 0x1ff;
      p += 2;
      left -= 2;
      if (v) out.s += `\n\t${TLV_NAMES[type] ?? 'Unknown'} TLV (${type}), length ${len}`;
      if (type === 0 || len === 0) break;
      need(c, p, len, 'lldp');
      if (left < len) { out.s += ' [|lldp]'; return; }
      let hexdump = false;
      switch (type) {
        case 1: case 2:
          if (v) {
            const sub = b[p];
            const names = type === 1 ? CHASSIS : PORT;
            out.s += `\n\t  Subtype ${names[sub] ?? 'Unknown'} (${sub}): `;
            const id = idText(b, p, len, sub, type === 1 ? 4 : 3, type === 1 ? 5 : 4);
            if (id === undefined) hexdump = true;
            else out.s += id;
          }
          break;
        case 3: if (v) out.s += `: TTL ${be16(b, p)}s`; break;
        case 4: if (v) out.s += `: ${bytesText(b, p, len)}`; break;
        case 5: out.s += `: ${bytesText(b, p, len)}`; break;
        case 6: if (v) out.s += `\n\t  ${bytesText(b, p, len)}`; break;
        case 7:
          if (v) {
            const cap = be16(b, p);
            const ena = be16(b, p + 2);
            out.s += `\n\t  System  Capabilities [${capText(cap)}] (0x${cap.toString(16).padStart(4, '0')})`
              + `\n\t  Enabled Capabilities [${capText(ena)}] (0x${ena.toString(16).padStart(4, '0')})`;
          }
          break;
        default: hexdump = true;
      }
      if (v && (hexdump || c.o.verbose > 1)) out.s += unknownData(b, p, len, '\n\t  ');
      p += len;
      left -= len;
    }
  });
}
