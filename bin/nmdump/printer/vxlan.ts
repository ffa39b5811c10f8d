/** VXLAN (UDP 4789): "VXLAN, flags [I] (0x08), vni 100", then the carried Ethernet frame on the next line. */
import { catchTrunc, hex, need, type PrintContext } from './context';

export function vxlanText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  return catchTrunc((out) => {
    if (length < 8) { out.s += ' (invalid)'; return; }
    need(c, at, 1, 'vxlan');
    const flags = b[at];
    out.s += `, flags [${flags & 0x08 ? 'I' : 'invalid'}] (0x${hex(flags, 2)}), `;
    need(c, at + 4, 3, 'vxlan');
    out.s += `vni ${(b[at + 4] << 16) | (b[at + 5] << 8) | b[at + 6]}\n`;
    need(c, at + 7, 1, 'vxlan');
    out.s += c.inner('ethernet', at + 8, at + length);
  }, 'VXLAN');
}
