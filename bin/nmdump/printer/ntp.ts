/** NTP (UDP 123): "NTPv4, Client, length 48". */
import type { PrintContext } from './context';

const MODES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];

export function ntpText(c: PrintContext, at: number, length: number): string {
  if (at >= c.bytes.length) return ' [|ntp]';
  const status = c.bytes[at];
  return `NTPv${(status >> 3) & 7}, ${MODES[status & 7]}, length ${length}`;
}
