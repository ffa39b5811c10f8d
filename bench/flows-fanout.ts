/**
 * The distributor in the flows part: FanOut to 1 and 2 worker_threads, each
 * with a FlowEngine of its own, against the same FlowEngine work in one
 * thread with no distributor (the peer), on the same frames in the same
 * run; and the N-core model of docs/flows.md from the measured costs.
 */
import { join } from 'node:path';
import { Child } from './child';
import { failureNote, fix, int, median, notes, ratio, table, type Row } from './report';

export interface FanRun { pushed: number; received: number; drops: number; wallNs: number; mainCpuNs: number; workerCpuNs: number }

const CHILD = join(__dirname, 'flows-fanout-child.js');
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

async function once(file: string, count: number, workers: number): Promise<FanRun> {
  const c = new Child([process.execPath, CHILD, file, String(count), String(workers)]);
  const code = await c.finish(180_000);
  const line = c.stdout.find((l) => l.startsWith('result '));
  if (code !== 0 || !line) throw new Error(`fanout ${workers} exited ${code}: ${c.failure()}`);
  return JSON.parse(line.slice(7)) as FanRun;
}

/** Per-packet costs and rate of a row (medians): distributor ns/pkt, worker ns/pkt, packets/s. */
export function fanCosts(r: Row<FanRun> | undefined): { d: number; w: number; pps: number } {
  const m = (f: (x: FanRun) => number): number => (r ? median(r.runs.map(f)) : NaN);
  return { d: m((x) => x.mainCpuNs / x.pushed), w: m((x) => (x.workerCpuNs || x.mainCpuNs) / x.received),
    pps: m((x) => x.received / x.wallNs * 1e9) };
}

/**
 * The model: the distributor is one thread, so never more than 1e9 / D
 * packets/s. With N cores, one for it and N−1 workers:
 * min(1e9 / D, (N − 1) · 1e9 / W); with N workers sharing all N cores with
 * it: min(1e9 / D, N · 1e9 / (D + W)).
 */
export function modelPps(d: number, w: number, cores: number): { dedicated: number; shared: number } {
  return { dedicated: cores < 2 ? NaN : Math.min(1e9 / d, (cores - 1) * 1e9 / w),
    shared: Math.min(1e9 / d, cores * 1e9 / (d + w)) };
}

export async function fanoutFlowsSection(file: string, count: number, reps: number): Promise<string> {
  const specs = [{ name: 'FlowEngine in one thread (no distributor)', n: 0 },
    { name: 'FanOut → 1 worker', n: 1 }, { name: 'FanOut → 2 workers', n: 2 }];
  const rows: Array<Row<FanRun>> = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= reps; rep++) {
    for (const [i, s] of specs.entries()) {
      try {
        const r = await once(file, count, s.n);
        rows[i].runs.push(r);
        log(`flows fanout rep ${rep}: ${s.name}: ${r.received}/${r.pushed} drops ${r.drops} ` +
          `${(r.received / r.wallNs * 1e6).toFixed(0)} kpps`);
      } catch (err) {
        const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
        rows[i].failures.push(msg);
        log(`flows fanout rep ${rep}: ${s.name}: FAILED: ${msg}`);
      }
    }
  }
  const peer = fanCosts(rows[0]);
  const body = rows.map((r, i) => {
    if (r.runs.length === 0) return [r.name, '—', '—', '—', '—', '—', '—', failureNote(r)];
    const c = fanCosts(r);
    return [r.name, int(median(r.runs.map((x) => x.received))), int(median(r.runs.map((x) => x.drops))),
      fix(c.pps / 1e3, 0), i === 0 ? '—' : fix(c.d, 0), fix(c.w, 0), ratio(c.pps / peer.pps), notes(failureNote(r))];
  });
  const one = fanCosts(rows[1]);
  const model = [2, 4, 8, 16].map((n) => {
    const m = modelPps(one.d, one.w, n);
    return `N=${n}: ${ratio(m.dedicated / peer.pps)} (distributor on its own core), ${ratio(m.shared / peer.pps)} (all sharing)`;
  });
  return `### The distributor: FanOut to worker_threads, each with a FlowEngine

- Up to ${int(count)} frames (BENCH_FANOUT_COUNT) of the TCP capture, in memory, pushed
  512 per turn of the event loop through \`FanOut\` (\`ringSlots\` 8192) to
  1 or 2 worker_threads; each opens \`pipe:NAME}i\` and feeds a FlowEngine
  of its own (TCP reassembly and flow table on). The peer: the same
  FlowEngine fed the same frames in one thread, no distributor.
- Rate = frames the workers read / wall clock from the first push to the
  last worker's end of input (EPIPE). CPU per packet per thread from
  /proc/thread-self/schedstat: distributor = the pushing thread's / frames
  pushed; worker = the workers' threads' / frames read (the peer row: its
  one thread).
- 2 cores here: at 1 worker the distributor and the worker each have a
  core; at 2 workers three busy threads share two cores (and the machine
  is shared), so 2 workers cannot beat 1 here: the cores allow at most
  min(1e9 / D, 2 · 1e9 / (D + W)) packets/s for the whole pipeline.
- The pipes are lossless here (\`txWaitMs\` 2000: a full pipe makes the
  distributor wait instead of dropping), so a row's rate also holds the
  time the distributor spent waiting for room, which the model does not.

${table(['path', 'frames to workers', 'drops', 'kpps', 'distributor CPU ns/pkt (D)', 'worker CPU ns/pkt (W)',
    'rate vs one thread', 'notes'], body)}

Model (docs/flows.md, *Scaling to N cores*) with D = ${fix(one.d, 0)} ns and W = ${fix(one.w, 0)} ns from the
1-worker row, as a rate against the one-thread peer: ${model.join('; ')}.`;
}
