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

export const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
export const fix = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

export function table(head: string[], rows: string[][]): string {
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

/**
 * One measurement into its row. A failed run (a consumer or sender that
 * crashed or threw) is recorded with its message, not fatal: the other
 * rows still get measured, and the table says what failed.
 */
export async function attempt<R>(row: Row<R>, what: string, run: () => Promise<R>, describe: (r: R) => string,
                                 log: (line: string) => void): Promise<void> {
  try {
    const r = await run();
    row.runs.push(r);
    log(`${what}: ${describe(r)}`);
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
    row.failures.push(msg);
    log(`${what}: FAILED: ${msg}`);
  }
}

export function failureNote(r: Row<unknown>): string {
  if (r.failures.length === 0) return '';
  const total = r.runs.length + r.failures.length;
  return `${r.failures.length} of ${total} runs failed: ${r.failures[0]}`;
}

export const notes = (...xs: string[]): string => xs.filter(Boolean).join('; ');

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
  const event = nsOf(/^netmap-pcap 'packet'/);
  const ring = nsOf(/rxRing/);
  return `${t}

- npm pcap / netmap-pcap 'packet' event (ns/pkt): ${ratio(pcap / event)}
- npm pcap / netmap-pcap rxRing() walk (ns/pkt): ${ratio(pcap / ring)}
${captureVerdicts(event, ring, tcpdump)}`;
}

/** Issue 12: the 'packet' event within this many ns/pkt of the ring walk's. */
const EVENT_OVER_RING_NS = 25;
/** Issue 12: the ring walk at most this fraction of tcpdump's ns/pkt. */
const RING_OVER_TCPDUMP = 0.6;

const metText = (ok: boolean): string => (ok ? '**met**' : '**not met**');

/** Issue 12's targets for the 'packet' event and the ring walk, from their CPU ns/pkt and tcpdump's. */
export function captureVerdicts(event: number, ring: number, tcpdump: number): string {
  const measured = [event, ring, tcpdump].every(Number.isFinite);
  const eventOk = event <= tcpdump && event <= ring + EVENT_OVER_RING_NS;
  const eventLine = measured
    ? `${metText(eventOk)} (${fix(event)} ns; tcpdump ${fix(tcpdump)}, ring walk ${fix(ring)} + ${EVENT_OVER_RING_NS})`
    : 'not measured';
  const ringLine = measured
    ? `${metText(ring <= RING_OVER_TCPDUMP * tcpdump)} (${fix(ring)} ns = ${ratio(ring / tcpdump)})`
    : 'not measured';
  return `- 'packet' event ≤ tcpdump's CPU per packet and ≤ the rxRing() walk's + ${EVENT_OVER_RING_NS} ns (issue 12): ${eventLine}
- rxRing() walk ≤ ${RING_OVER_TCPDUMP}× tcpdump's CPU per packet (issue 12): ${ringLine}`;
}

/**
 * What a drop-in must reach against its peer running the same program:
 * `factor`× less CPU per packet than `peerModule` (1: no more), and with
 * `noDrops` not one packet lost (kernel drops, or arrived but not captured).
 */
export interface DropInTarget { factor: number; noDrops: boolean; peerModule: string }

/** One program on the peer module and on the drop-in. */
export interface DropInPair { peer: Row<CaptureRun>; dropIn: Row<CaptureRun>; target: DropInTarget }

/** Packets one run lost: its kernel drops, or those that arrived and were not captured. */
const lostOf = (x: CaptureRun): number => Math.max(x.drop ?? 0, x.arrived - x.captured);

/** The drop-in table: each pair's rows, the drop-in's CPU against its peer's, and each target's verdict. */
export function dropInTable(pairs: DropInPair[]): string {
  const med = (r: Row<CaptureRun>, f: (x: CaptureRun) => number): number => median(r.runs.map(f));
  const nsOf = (r: Row<CaptureRun>): number => (r.missing ? NaN : med(r, (x) => x.cpuNsPerPkt));
  const line = (r: Row<CaptureRun>, vs: string, note: string): string[] => {
    if (r.missing) return [r.name, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`];
    const drop = r.runs.length && r.runs.every((x) => x.drop !== null) ? int(med(r, (x) => x.drop!)) : '—';
    return [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)), int(med(r, (x) => x.captured)),
      drop, fix(nsOf(r)), vs, notes(note, `gen ${fix(med(r, (x) => x.genPps) / 1e6, 2)} Mpps`, failureNote(r))];
  };
  const body = pairs.flatMap(({ peer, dropIn }) => [
    line(peer, ratio(1), 'the peer'),
    line(dropIn, ratio(nsOf(dropIn) / nsOf(peer)), ''),
  ]);
  const t = table(['program on', 'sent', 'arrived nmp1', 'captured', 'kernel drops', 'CPU ns/pkt',
    'ns/pkt vs the peer', 'notes'], body);
  return `${t}

${pairs.map(dropInVerdict).join('\n')}`;
}

/** "- X: ≥ 2× less CPU per packet than Y, no drops (issue 12): **met** (…)". */
export function dropInVerdict({ peer, dropIn, target }: DropInPair): string {
  const goal = target.factor === 1 ? `no more CPU per packet than ${target.peerModule}`
    : `≥ ${target.factor}× less CPU per packet than ${target.peerModule}`;
  const head = `- ${dropIn.name}: ${goal}${target.noDrops ? ', no drops' : ''} (issue 12)`;
  const missing = [peer, dropIn].find((r) => r.missing || r.runs.length === 0);
  if (missing) return `${head}: not measured (${missing.name}: ${missing.missing || failureNote(missing) || 'no run'})`;
  const theirs = median(peer.runs.map((x) => x.cpuNsPerPkt));
  const ours = median(dropIn.runs.map((x) => x.cpuNsPerPkt));
  const lost = Math.max(...dropIn.runs.map(lostOf));
  const ok = theirs / ours >= target.factor && (!target.noDrops || lost === 0);
  return `${head}: ${metText(ok)} (${fix(ours)} against ${fix(theirs)} ns/pkt: peer ÷ drop-in = ` +
    `${ratio(theirs / ours)}; ${int(lost)} lost in the worst run)`;
}

export function injectTable(rows: Array<Row<InjectRun>>, count: number, capSeconds: number,
                            reference = /^C gen (txring|sendmmsg|send) \(/): string {
  const med = (r: Row<InjectRun>, f: (x: InjectRun) => number): number => median(r.runs.map(f));
  // The reference: the fastest of the three C senders in this run.
  // Delivered rate: frames that arrived over the sender's own time.
  const deliveredOf = (r: Row<InjectRun>): number =>
    med(r, (x) => x.pps) * med(r, (x) => x.arrived) / med(r, (x) => x.sent);
  // The reference: the C sender that delivered the most per second (not the
  // most frames: every run sends the same count, so that picks the first).
  const refs = rows.filter((r) => reference.test(r.name) && r.runs.length > 0);
  const ref = refs.reduce<Row<InjectRun> | undefined>((best, r) =>
    !best || deliveredOf(r) > deliveredOf(best) ? r : best, undefined);
  const refDelivered = ref ? deliveredOf(ref) : NaN;
  const refNs = ref ? med(ref, (x) => x.cpuNsPerPkt) : NaN;
  const body = rows.map((r) => {
    if (r.missing) return [r.name, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`];
    const pps = med(r, (x) => x.pps);
    const nsPkt = med(r, (x) => x.cpuNsPerPkt);
    const retries = med(r, (x) => x.retries);
    return [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)), fix(pps / 1e6, 3), fix(nsPkt),
      ratio(deliveredOf(r) / refDelivered), ratio(nsPkt / refNs),
      notes(r === ref ? 'the reference (best C sender)' : '',
        med(r, (x) => x.sent) < count ? `stopped by the ${capSeconds} s cap` : '',
        retries > 0 ? `${int(retries)} failed sends (ENOBUFS) retried` : '', failureNote(r))];
  });
  return table(['sender', 'sent', 'arrived nmp1', 'Mpps', 'CPU ns/pkt', 'delivered pps vs best C',
    'ns/pkt vs best C', 'notes'], body) +
    `\n\nBest C sender in this run: ${ref?.name ?? 'none measured'}. Targets: the inject() loop and ` +
    'injectBatch deliver ≥ 0.95× it at ≤ 1.2× its CPU per packet; nmsend --generate ≥ 0.95× it.';
}

export function machineText(m: Machine, loadAfter: string): string {
  return `- ${m.nproc} CPUs: ${m.cpu}\n- kernel ${m.kernel}, Node ${m.node}\n- netmap-pcap at ${m.commit}, measured ${m.date}\n` +
    `- load average (1/5/15 min) before: ${m.load}; after: ${loadAfter}. Anything else running on the\n` +
    '  2 cores competes with the sender, the consumer and the kernel\'s receive thread.';
}

/** One offline reader's pass over a file. `delivered`: NaN where the reader does not say (tcpdump -w). */
export interface OfflineRun { delivered: number; wallNs: number; cpuNs: number }
export interface OfflineRow extends Row<OfflineRun> {
  /** Ran with the filter (else: no filter). */
  filtered: boolean;
  /** What it should deliver (tcpdump --count, or every packet), and whether it did. */
  expected?: number;
  countOk?: boolean | null;
}

export function offlineTable(rows: OfflineRow[], packets: number, bytes: number): string {
  const med = (r: OfflineRow, f: (x: OfflineRun) => number): number => median(r.runs.map(f));
  const mpps = (r: OfflineRow | undefined): number => (r ? packets / med(r, (x) => x.wallNs) * 1e3 : NaN);
  const cpu = (r: OfflineRow | undefined): number => (r ? med(r, (x) => x.cpuNs) : NaN);
  const tdRow = (filtered: boolean): OfflineRow | undefined => rows.find((r) => r.filtered === filtered && /^tcpdump/.test(r.name));
  const parserRow = rows.find((r) => /^pcap-parser/.test(r.name));
  /** Two speed ratios, > 1 = faster than the reference: by wall clock (Mpps), by CPU time. */
  const vs = (r: OfflineRow, ref: OfflineRow | undefined): string =>
    `${ratio(mpps(r) / mpps(ref))} / ${ratio(cpu(ref) / cpu(r))}`;
  const body = rows.map((r) => {
    if (r.missing || r.runs.length === 0) {
      return [r.name, '—', '—', '—', '—', '—', '—', '—', notes(r.missing ? `not measured: ${r.missing}` : '', failureNote(r))];
    }
    const wall = med(r, (x) => x.wallNs);
    const delivered = med(r, (x) => x.delivered);
    return [r.name, Number.isNaN(delivered) ? `(${int(r.expected ?? NaN)})` : int(delivered),
      fix(mpps(r), 2), fix(bytes / 2 ** 20 / (wall / 1e9), 0), fix(wall / 1e9, 3), fix(med(r, (y) => y.cpuNs) / 1e9, 3),
      vs(r, tdRow(r.filtered)), vs(r, parserRow),
      notes(r.countOk === false ? `**count differs from ${int(r.expected ?? NaN)}**` : '', failureNote(r))];
  });
  return `${table(['reader', 'delivered', 'Mpps', 'MiB/s', 'wall s', 'CPU s', 'vs tcpdump (wall / CPU)',
    'vs pcap-parser (wall / CPU)', 'notes'], body)}

- delivered: packets handed to the callback (tcpdump's, in parentheses, is its --count).
- vs X: speed relative to X, > 1 = faster: X's wall clock / this reader's (the Mpps
  ratio), then X's CPU time / this reader's. tcpdump with the same filter setting;
  pcap-parser without a filter.`;
}

/** One pipe run, as the receiver saw it. */
export interface PipeRun { mpps: number; received: number; outOfSequence: number }
export type PipeRow = Row<PipeRun>;

/** The pipe table; the first row is the C reference the others are compared with. */
export function pipeTable(rows: PipeRow[], count: number): string {
  const mpps = (r: PipeRow | undefined): number => (r ? median(r.runs.map((x) => x.mpps)) : NaN);
  const ref = mpps(rows[0]);
  const body = rows.map((r) => {
    if (r.missing || r.runs.length === 0) {
      return [r.name, '—', '—', '—', '—', '—', notes(r.missing ? `not measured: ${r.missing}` : '', failureNote(r))];
    }
    const short = r.runs.filter((x) => x.received !== count).length;
    const seq = r.runs.reduce((k, x) => k + x.outOfSequence, 0);
    return [r.name, int(median(r.runs.map((x) => x.received))), int(seq), fix(mpps(r), 2),
      r.runs.map((x) => fix(x.mpps, 2)).join(', '), r === rows[0] ? '1.00× (reference)' : ratio(mpps(r) / ref),
      notes(short ? `**${short} run(s) received fewer than ${int(count)}**` : '',
        seq ? '**frames out of sequence**' : '', failureNote(r))];
  });
  return table(['path', 'received', 'out of sequence (all runs)', 'Mpps', 'runs (Mpps)', 'vs C reference', 'notes'], body);
}

/** 1 vs N fanout workers: captured, drops, CPU per packet, rate, each against the first row. */
export function fanoutTable(rows: Array<Row<CaptureRun>>): string {
  const med = (r: Row<CaptureRun>, f: (x: CaptureRun) => number): number => median(r.runs.map(f));
  const first = rows[0];
  const nsRef = first ? med(first, (x) => x.cpuNsPerPkt) : NaN;
  const ppsRef = first ? med(first, (x) => x.genPps) : NaN;
  const body = rows.map((r) => {
    const nsPkt = med(r, (x) => x.cpuNsPerPkt);
    const pps = med(r, (x) => x.genPps);
    const drop = r.runs.length && r.runs.every((x) => x.drop !== null) ? int(med(r, (x) => x.drop!)) : '—';
    return [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.captured)), drop, fix(nsPkt),
      ratio(nsPkt / nsRef), fix(pps / 1e6, 2), ratio(pps / ppsRef), failureNote(r)];
  });
  return table(['consumer', 'sent', 'captured', 'kernel drops', 'CPU ns/pkt (all threads)',
    `ns/pkt vs ${first?.name ?? '—'}`, 'gen Mpps', 'gen rate vs first row', 'notes'], body);
}
