/**
 * Spanning tree BPDUs (802.1D, 802.1w) on LLC SAP 0x42:
 *   STP 802.1d, Config, Flags [none], bridge-id 8000.02:00:00:00:00:0a.8001, length 35
 * -v adds the timers and the root on two more lines.
 */
import { be16, be32, catchTrunc, need, type PrintContext } from './context';
import { macText } from './text';

const VERSIONS: Record<number, string> = { 0: '802.1d', 2: '802.1w', 3: '802.1s', 4: '802.1aq' };
const TYPES: Record<number, string> = { 0: 'Config', 2: 'Rapid STP', 0x80: 'Topology Change' };
const FLAGS: [number, string][] = [[0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'],
  [0x40, 'Agreement'], [0x80, 'Topology change ACK']];
const ROLES = ['Unknown', 'Alternate', 'Root', 'Designated'];

const bridgeId = (b: Uint8Array, at: number): string =>
  `${b[at].toString(16).padStart(2, '0')}${b[at + 1].toString(16).padStart(2, '0')}.${macText(b, at + 2)}`;
const seconds = (v: number): string => `${(v / 256).toFixed(2)}s`;

/** The BPDU at `at`, `length` bytes by the 802.3 length (LLC header excluded). */
export function stpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  return catchTrunc((out) => {
    if (length < 4) { out.s += ' (invalid)'; return; }
    need(c, at, 4, 'stp');
    if (be16(b, at)) { out.s += `unknown STP version, length ${length}`; return; }
    const version = b[at + 2];
    out.s += `STP ${VERSIONS[version] ?? `Unknown STP protocol (0x${version.toString(16).padStart(2, '0')})`}`;
    if (VERSIONS[version] === undefined) return;
    const type = b[at + 3];
    out.s += `, ${TYPES[type] ?? `Unknown BPDU Type (0x${type.toString(16).padStart(2, '0')})`}`;
    if (type !== 0 && !(type === 2 && version === 2)) return;
    if (length < (type === 0 ? 35 : 36)) { out.s += ' (invalid)'; return; }
    need(c, at, 35, 'stp');
    const flags = b[at + 4];
    out.s += `, Flags [${FLAGS.filter(([bit]) => flags & bit).map(([, n]) => n).join(', ') || 'none'}]`;
    out.s += `, bridge-id ${bridgeId(b, at + 17)}.${be16(b, at + 25).toString(16).padStart(4, '0')}, length ${length}`;
    if (c.o.verbose === 0) return;
    out.s += `\n\tmessage-age ${seconds(be16(b, at + 27))}, max-age ${seconds(be16(b, at + 29))}`
      + `, hello-time ${seconds(be16(b, at + 31))}, forwarding-delay ${seconds(be16(b, at + 33))}`;
    out.s += `\n\troot-id ${bridgeId(b, at + 5)}, root-pathcost ${be32(b, at + 13)}`;
    if (version === 2) out.s += `, port-role ${ROLES[(flags & 0x0c) >> 2]}`;
  });
}
