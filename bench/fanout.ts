/**
 * One ring per core (§2.1) on the kernel backend: 1 against 2 fanout
 * workers (bench/consumers/nmp-fanout.ts, examples/workers.ts) capturing on
 * nmp1 while gen floods nmp0, the same offered load for each, through the
 * capture table's machinery (warm-up, mark, drain: bench/capture.ts).
 */
import { captureOnce, fanoutConsumer } from './capture';
import type { CaptureRun } from './capture';
import type { Netns } from './env';
import { fanoutTable, Row } from './report';

const log = (s: string): void => { process.stderr.write(`${s}\n`); };

export async function fanoutSection(ns: Netns, o: { count: number; reps: number; buffer: number }): Promise<string> {
  const specs = [fanoutConsumer(1), fanoutConsumer(2)];
  const rows: Array<Row<CaptureRun>> = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const [i, spec] of specs.entries()) {
      try {
        const r = await captureOnce(ns, spec, o.count, 60, o.buffer);
        rows[i].runs.push(r);
        log(`fanout rep ${rep}: ${spec.name}: captured ${r.captured}/${r.sent} drop ${r.drop} ` +
          `${r.cpuNsPerPkt.toFixed(1)} ns/pkt (gen ${(r.genPps / 1e6).toFixed(2)} Mpps)`);
      } catch (err) {
        const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
        rows[i].failures.push(msg);
        log(`fanout rep ${rep}: ${spec.name}: FAILED: ${msg}`);
      }
    }
  }
  return `## One ring per core: 1 against 2 fanout workers

- examples/workers.ts's \`runWorkers()\` (bench/consumers/nmp-fanout.ts):
  N worker_threads join one AF_PACKET fanout group on nmp1 (mode \`lb\`), each
  owns its ring and walks it with \`rxRing()\`, nothing shared but a counter.
  The consumer process may run on both CPUs; gen stays pinned to CPU 0, so
  on this 2-CPU machine a second worker competes with the sender and with
  veth's receive thread: the honest ceiling of §2.1 here, not on a NIC with
  a queue per core. Same warm-up, mark and drain as the capture table;
  CPU ns/pkt is the whole process's (all threads) per packet captured.

### Fanout, 60-byte frames, ${o.count.toLocaleString('en-US')} per run

${fanoutTable(rows)}`;
}
