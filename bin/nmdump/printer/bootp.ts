/** BOOTP / DHCP (UDP 67, 68): "BOOTP/DHCP, Request from 02:00:00:00:00:0a, length 300". */
import type { PrintContext } from './context';
import { macText } from './text';

export function bootpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  if (at >= b.length) return ' [|bootp]';
  const op = b[at];
  let s = `BOOTP/DHCP, ${op === 1 ? 'Request' : op === 2 ? 'Reply' : `unknown (0x${op.toString(16).padStart(2, '0')})`}`;
  if (at + 3 > b.length) return `${s} [|bootp]`;
  if (b[at + 1] === 1 && b[at + 2] === 6 && op === 1) {
    if (at + 34 > b.length) return `${s} [|bootp]`;
    s += ` from ${macText(b, at + 28)}`;
  }
  return `${s}, length ${length}`;
}
