/**
 * Cisco Discovery Protocol (SNAP OUI 0x00000c, PID 0x2000). tcpdump's
 * default line names the device and dumps every other TLV in hex:
 *   CDPv2, ttl: 180s, Device-ID 'switch1'\n\t  0x0000:  4769 302f 31, length 41
 * -v prints each TLV it knows on its own line.
 */
import { be16, be32, catchTrunc, need, type PrintContext } from './context';
import { bytesText, unknownData } from './text';

/** TLV names and the printers -v uses (string TLVs print quoted). */
const TLVS: Record<number, { name: string; kind: 'string' | 'cap' | 'other' }> = {
  1: { name: 'Device-ID', kind: 'string' }, 2: { name: 'Address', kind: 'other' }, 3: { name: 'Port-ID', kind: 'string' },
  4: { name: 'Capability', kind: 'cap' }, 5: { name: 'Version String', kind: 'other' }, 6: { name: 'Platform', kind: 'string' },
  7: { name: 'Prefixes', kind: 'other' }, 9: { name: 'VTP Management Domain', kind: 'string' },
  10: { name: 'Native VLAN ID', kind: 'other' }, 11: { name: 'Duplex', kind: 'other' },
};

const CAPS: [number, string][] = [[0x01, 'Router'], [0x02, 'Transparent Bridge'], [0x04, 'Source Route Bridge'],
  [0x08, 'L2 Switch'], [0x10, 'L3 capable'], [0x20, 'IGMP snooping'], [0x40, 'L1 capable']];

export function cdpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  const v = c.o.verbose > 0;
  return catchTrunc((out) => {
    if (length < 4) { out.s += ` (packet length ${length} < 4) (invalid)`; return; }
    need(c, at, 4, 'cdp');
    out.s += `CDPv${b[at]}, ttl: ${b[at + 1]}s`;
    if (v) out.s += `, checksum: 0x${be16(b, at + 2).toString(16).padStart(4, '0')} (unverified), length ${length}`;
    let p = at + 4;
    let left = length - 4;
    while (left > 0) {
      if (left < 4) { out.s += ` (remaining packet length ${left} < 4) (invalid)`; return; }
      need(c, p, 4, 'cdp');
      const type = be16(b, p);
      let len = be16(b, p + 2);
      const info = TLVS[type];
      const name = info?.name ?? 'unknown field type';
      if (len < 4) {
        out.s += v ? `\n\t${name} (0x${type.toString(16).padStart(2, '0')}), TLV length: ${len} byte${len === 1 ? '' : 's'} (too short)`
          : `, ${name} TLV length ${len} too short`;
        out.s += ' (invalid)';
        return;
      }
      if (len > left) { out.s += ` (TLV length ${len} > ${left}) (invalid)`; return; }
      p += 4;
      left -= 4;
      len -= 4;
      if (!v && type === 1) out.s += ', Device-ID ';
      else if (v) out.s += `\n\t${name} (0x${type.toString(16).padStart(2, '0')}), value length: ${len} byte${len === 1 ? '' : 's'}: `;
      need(c, p, len, 'cdp');
      const decoded = info && (v || type === 1) && info.kind !== 'other';
      if (decoded && info.kind === 'string') out.s += `'${bytesText(b, p, len, false)}'`;
      else if (decoded && info.kind === 'cap') {
        const caps = be32(b, p);
        out.s += `(0x${caps.toString(16).padStart(8, '0')}): ${CAPS.filter(([bit]) => caps & bit).map(([, n]) => n).join(', ')}`;
      } else out.s += unknownData(b, p, len, '\n\t  ');
      p += len;
      left -= len;
    }
    if (!v) out.s += `, length ${length}`;
  });
}
