/**
 * Medians, tables and bench/RESULTS.md. Tables are Markdown, printed as-is
 * to stdout too.
 */
import type { CaptureRun } from './capture';
import type { Machine } from './env';
import type { InjectRun } from './inject';

/** Median of the finite values (NaN if none). */
export function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const fix = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** One consumer's median over its repetitions; `missing` rows say why. */
export interface CaptureRow { consumer: string; runs: CaptureRun[]; missing?: string }

export function captureTable(rows: CaptureRow[]): string {
  const med = (r: CaptureRow, f: (x: CaptureRun) => number): number => median(r.runs.map(f));
  const ns = (name: RegExp): number => {
    const r = rows.find((x) => name.test(x.consumer));
    return r ? med(r, (x) => x.cpuNsPerPkt) : NaN;
  };
  const tcpdump = ns(/^tcpdump/);
  const body = rows.map((r) => {
    if (r.missing) return [r.consumer, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`];
    const nsPkt = med(r, (x) => x.cpuNsPerPkt);
    const dropCell = r.runs.some((x) => x.drop === null) ? '—' : int(med(r, (x) => x.drop!));
    return [r.consumer, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)), int(med(r, (x) => x.captured)),
      dropCell, fix(nsPkt), ratio(nsPkt / tcpdump), `gen ${fix(med(r, (x) => x.genPps) / 1e6, 2)} Mpps`];
  });
  const t = table(['consumer', 'sent', 'arrived nmp1', 'captured', 'kernel drops', 'CPU ns/pkt',
    'ns/pkt vs tcpdump', 'notes'], body);
  const pcap = ns(/^npm pcap/);
  const extra = [
    `npm pcap / netmap-pcap 'packet' event (ns/pkt): ${ratio(pcap / ns(/^netmap-pcap 'packet'/))}`,
    `npm pcap / netmap-pcap rxRing() walk (ns/pkt): ${ratio(pcap / ns(/rxRing/))}`,
  ];
  return `${t}\n\n${extra.map((e) => `- ${e}`).join('\n')}`;
}

export interface InjectRow { sender: string; runs: InjectRun[]; missing?: string }

export function injectTable(rows: InjectRow[]): string {
  const med = (r: InjectRow, f: (x: InjectRun) => number): number => median(r.runs.map(f));
  const ref = rows.find((r) => /^C gen txring/.test(r.sender));
  const refPps = ref ? med(ref, (x) => x.pps) : NaN;
  const refNs = ref ? med(ref, (x) => x.cpuNsPerPkt) : NaN;
  const body = rows.map((r) => {
    if (r.missing) return [r.sender, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`];
    const pps = med(r, (x) => x.pps);
    const nsPkt = med(r, (x) => x.cpuNsPerPkt);
    return [r.sender, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)), fix(pps / 1e6, 3), fix(nsPkt),
      ratio(pps / refPps), ratio(nsPkt / refNs), ''];
  });
  return table(['sender', 'sent', 'arrived nmp1', 'Mpps', 'CPU ns/pkt', 'pps vs gen txring',
    'ns/pkt vs gen txring', 'notes'], body);
}

export function machineText(m: Machine): string {
  return `- ${m.nproc} CPUs: ${m.cpu}\n- kernel ${m.kernel}, Node ${m.node}\n- measured ${m.date}`;
}
