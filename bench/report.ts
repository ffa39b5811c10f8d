/**
 * Medians, tables and the text of bench/RESULTS.md. Tables are Markdown,
 * printed as-is to stdout too.
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
  return [line(head), line(head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:'))),
    ...rows.map(line)].join('\n');
}

/**
 * One consumer or sender over its repetitions. `missing`: why it could not
 * run at all; `failures`: runs that failed (their messages), kept out of
 * the medians but shown.
 */
export interface Row<R> { name: string; runs: R[]; failures: string[]; missing?: string }

function failureNote(r: Row<unknown>): string {
  if (r.failures.length === 0) return '';
  const total = r.runs.length + r.failures.length;
  return `${r.failures.length} of ${total} runs failed: ${r.failures[0]}`;
}

const notes = (...xs: string[]): string => xs.filter(Boolean).join('; ');

export function captureTable(rows: Array<Row<CaptureRun>>): string {
  const med = (r: Row<CaptureRun>, f: (x: CaptureRun) => number): number => median(r.runs.map(f));
  const nsOf = (name: RegExp): number => {
    const r = rows.find((x) => name.test(x.name));
    return r ? med(r, (x) => x.cpuNsPerPkt) : NaN;
  };
  const tcpdump = nsOf(/^tcpdump/);
  const body = rows.map((r) => {
    if (r.missing) return [r.name, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`];
    const nsPkt = med(r, (x) => x.cpuNsPerPkt);
    const drop = r.runs.length && r.runs.every((x) => x.drop !== null) ? int(med(r, (x) => x.drop!)) : '—';
    return [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)), int(med(r, (x) => x.captured)),
      drop, fix(nsPkt), ratio(nsPkt / tcpdump),
      notes(`gen ${fix(med(r, (x) => x.genPps) / 1e6, 2)} Mpps`, failureNote(r))];
  });
  const t = table(['consumer', 'sent', 'arrived nmp1', 'captured', 'kernel drops', 'CPU ns/pkt',
    'ns/pkt vs tcpdump', 'notes'], body);
  const pcap = nsOf(/^npm pcap/);
  return `${t}

- npm pcap / netmap-pcap 'packet' event (ns/pkt): ${ratio(pcap / nsOf(/^netmap-pcap 'packet'/))}
- npm pcap / netmap-pcap rxRing() walk (ns/pkt): ${ratio(pcap / nsOf(/rxRing/))}`;
}

export function injectTable(rows: Array<Row<InjectRun>>, count: number, capSeconds: number): string {
  const med = (r: Row<InjectRun>, f: (x: InjectRun) => number): number => median(r.runs.map(f));
  const ref = rows.find((r) => /^C gen txring/.test(r.name));
  const refPps = ref ? med(ref, (x) => x.pps) : NaN;
  const refNs = ref ? med(ref, (x) => x.cpuNsPerPkt) : NaN;
  const body = rows.map((r) => {
    if (r.missing) return [r.name, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`];
    const pps = med(r, (x) => x.pps);
    const nsPkt = med(r, (x) => x.cpuNsPerPkt);
    const retries = med(r, (x) => x.retries);
    return [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)), fix(pps / 1e6, 3), fix(nsPkt),
      ratio(pps / refPps), ratio(nsPkt / refNs),
      notes(med(r, (x) => x.sent) < count ? `stopped by the ${capSeconds} s cap` : '',
        retries > 0 ? `${int(retries)} failed sends (ENOBUFS) retried` : '', failureNote(r))];
  });
  return table(['sender', 'sent', 'arrived nmp1', 'Mpps', 'CPU ns/pkt', 'pps vs gen txring',
    'ns/pkt vs gen txring', 'notes'], body);
}

export function machineText(m: Machine, loadAfter: string): string {
  return `- ${m.nproc} CPUs: ${m.cpu}\n- kernel ${m.kernel}, Node ${m.node}\n- netmap-pcap at ${m.commit}, measured ${m.date}\n` +
    `- load average (1/5/15 min) before: ${m.load}; after: ${loadAfter}. Anything else running on the\n` +
    '  2 cores competes with the sender, the consumer and the kernel\'s receive thread.';
}
