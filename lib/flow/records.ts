/** Flow records as text: one JSON object per line, or CSV with a header line. */
import type { FlowRecord } from './flow-table';

/** The CSV columns, in order (also the JSON keys). */
export const FLOW_FIELDS = Object.freeze([
  'version', 'protocol', 'vlan', 'src', 'srcPort', 'dst', 'dstPort', 'startMs', 'endMs',
  'packets', 'bytes', 'reversePackets', 'reverseBytes', 'tcpFlags', 'reverseTcpFlags', 'tcpState', 'endReason',
] as const satisfies readonly (keyof FlowRecord)[]);

/** One JSON line (with its newline). Times stay milliseconds since the epoch. */
export function flowToJsonLine(r: FlowRecord): string {
  const o: Record<string, unknown> = {};
  for (const k of FLOW_FIELDS) o[k] = r[k];
  return `${JSON.stringify(o)}\n`;
}

/** The CSV header line (with its newline). */
export const FLOW_CSV_HEADER = `${FLOW_FIELDS.join(',')}\n`;

/** One CSV line (with its newline); an absent TCP state is an empty field. Addresses need no quoting. */
export function flowToCsvLine(r: FlowRecord): string {
  return `${FLOW_FIELDS.map((k) => (r[k] === null ? '' : String(r[k]))).join(',')}\n`;
}
