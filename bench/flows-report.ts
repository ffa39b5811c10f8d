/** The flows part's tables: rates per reader, then ratios against the peers of the same run. */
import { failureNote, fix, int, median, notes, ratio, table, type Row } from './report';

/** One reader's pass: packets read, bytes delivered, streams or datagrams, wall and CPU. */
export interface FlowRun { packets: number; bytes: number; units: number; wallNs: number; cpuNs: number }
export type FlowRow = Row<FlowRun> & { expectedBytes?: number };

export interface Rates { gbps: number; pps: number; nsPerPkt: number; wallNs: number; cpuNs: number }

/** Medians of a row: payload Gbit/s and packets/s by wall clock, CPU ns per packet. */
export function rates(r: FlowRow | undefined): Rates {
  const m = (f: (x: FlowRun) => number): number => (r ? median(r.runs.map(f)) : NaN);
  const wallNs = m((x) => x.wallNs);
  const cpuNs = m((x) => x.cpuNs);
  return { gbps: m((x) => x.bytes * 8 / x.wallNs), pps: m((x) => x.packets / x.wallNs * 1e9),
    nsPerPkt: m((x) => x.cpuNs / x.packets), wallNs, cpuNs };
}

/** How many times faster `a` is than `b`: by wall-clock rate, and by CPU per packet. */
export function speedup(a: Rates, b: Rates): { wall: number; cpu: number } {
  return { wall: a.pps / b.pps, cpu: b.nsPerPkt / a.nsPerPkt };
}

/** The table: each row's rates, then "× vs PEER (wall / CPU)" for each peer named. */
export function flowTable(rows: FlowRow[], peers: string[], unit: string, withGbps: boolean): string {
  const byName = (n: string): FlowRow | undefined => rows.find((r) => r.name === n && r.runs.length > 0);
  const body = rows.map((r) => {
    if (r.missing || r.runs.length === 0) {
      return [r.name, '—', '—', ...(withGbps ? ['—'] : []), '—', '—', ...peers.map(() => '—'),
        notes(r.missing ? `not measured: ${r.missing}` : '', failureNote(r))];
    }
    const x = rates(r);
    const bytes = median(r.runs.map((y) => y.bytes));
    const units = median(r.runs.map((y) => y.units));
    const vs = peers.map((p) => {
      const peer = byName(p);
      if (!peer || peer === r) return peer === r ? '1.00× / 1.00×' : '—';
      const s = speedup(x, rates(peer));
      return `${ratio(s.wall)} / ${ratio(s.cpu)}`;
    });
    const short = r.expectedBytes !== undefined && bytes !== r.expectedBytes
      ? `delivered ${int(bytes)} of ${int(r.expectedBytes)} bytes` : '';
    return [r.name, int(units), fix(bytes / 1e6, 1), ...(withGbps ? [fix(x.gbps, 2)] : []),
      fix(x.pps / 1e3, 0), fix(x.nsPerPkt, 0), ...vs, notes(short, failureNote(r))];
  });
  return table(['reader', unit, 'MB delivered', ...(withGbps ? ['payload Gbit/s'] : []), 'kpps', 'CPU ns/pkt',
    ...peers.map((p) => `vs ${p} (rate / CPU)`), 'notes'], body);
}
