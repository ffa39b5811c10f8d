/**
 * The pipe table (issue 6, "Benchmark"): a pipe: port JS → JS between two
 * processes, 64-byte frames, with the fast API (ring slots written and
 * read in place, bench/pipe-js.ts `fast`) and the convenient API
 * (injectBatch, loop() with a Buffer per packet, `convenient`), next to
 * the C reference of the same ring (bench/pipe-ref.c, built into
 * bench/out/pipe-ref), all in one run. No root, no network namespace:
 * pipes are shared memory between two processes of this user.
 *
 * Knobs (environment): BENCH_PIPE_COUNT packets per run (10000000),
 * BENCH_REPS repetitions, median reported (3).
 */
import { join } from 'node:path';
import { Child } from './child';
import { PIPE_REF, PIPE_SPSC } from './env';
import { median, pipeTable, PipeRow, PipeRun } from './report';

/** Issue 6's target for the fast API: 10 Gbit/s of minimum-size frames. */
export const TARGET_MPPS = 14.88;
/** Issue 13's targets, as fractions of the bare SPSC ring of the same run. */
const RING_API_TARGET = 0.6;
const CONVENIENT_TARGET = 0.35;
const SIZE = 64;
const PIPE_JS = join(__dirname, 'pipe-js.js');
/** The busy-poll row's spin before sleeping: waitReadable(timeout, spinUs). */
const SPIN_US = 50;
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

interface Path {
  name: string;
  run(count: number, timeoutMs: number): Promise<PipeRun>;
}

/** bench/out/pipe-ref: `receiver: X Mpps (N packets, B out of sequence, ...)` on stdout, exit 0 if both ends did. */
async function refRun(count: number, timeoutMs: number): Promise<PipeRun> {
  const c = new Child([PIPE_REF, String(count), String(SIZE), '4096', '0']);
  const code = await c.finish(timeoutMs);
  const m = c.stdout.map((l) => /^receiver: ([\d.]+) Mpps \((\d+) packets, (\d+) out of sequence/.exec(l)).find(Boolean);
  if (code !== 0 || !m) throw new Error(`pipe-ref exited ${code}: ${c.failure()}`);
  return { mpps: Number(m[1]), received: Number(m[2]), outOfSequence: Number(m[3]) };
}

/** bench/out/pipe-spsc: `bare: X Mpps (N packets, B out of sequence, ...)`. */
async function spscRun(touch: 'all' | 'seq', count: number, timeoutMs: number): Promise<PipeRun> {
  const c = new Child([PIPE_SPSC, String(count), String(SIZE), touch]);
  const code = await c.finish(timeoutMs);
  const m = c.stdout.map((l) => /^bare: ([\d.]+) Mpps \((\d+) packets, (\d+) out of sequence/.exec(l)).find(Boolean);
  if (code !== 0 || !m) throw new Error(`pipe-spsc exited ${code}: ${c.failure()}`);
  return { mpps: Number(m[1]), received: Number(m[2]), outOfSequence: Number(m[3]) };
}

/** bench/pipe-js.js: one JSON line from the receiver, which waits for its sender child. */
async function jsRun(mode: 'fast' | 'convenient', count: number, timeoutMs: number, spinUs = 0): Promise<PipeRun> {
  const c = new Child([process.execPath, PIPE_JS, mode, String(count), String(spinUs)]);
  const code = await c.finish(timeoutMs);
  const line = c.stdout.find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`pipe-js ${mode} exited ${code}: ${c.failure()}`);
  const r = JSON.parse(line) as { packets: number; outOfSequence: number; mpps: number; senderExit: number | null };
  if (r.senderExit !== 0) throw new Error(`pipe-js ${mode}: the sender exited ${r.senderExit}: ${c.failure()}`);
  return { mpps: r.mpps, received: r.packets, outOfSequence: r.outOfSequence };
}

// The first row is the reference of the ratio column: the bare ring doing
// the JS rows' work (the faster of the two bare rows, so the strictest).
const PATHS: Path[] = [
  { name: 'bare C SPSC ring, sequence bytes only (bench/pipe-spsc.c seq; spins)', run: (n, t) => spscRun('seq', n, t) },
  { name: 'bare C SPSC ring, every byte (pipe-spsc all; spins)', run: (n, t) => spscRun('all', n, t) },
  { name: 'C through the port contract (bench/pipe-ref.c)', run: refRun },
  { name: 'JS ring API, sleeps when empty', run: (n, t) => jsRun('fast', n, t) },
  { name: `JS ring API, busy-poll ${SPIN_US} µs then sleep`, run: (n, t) => jsRun('fast', n, t, SPIN_US) },
  { name: 'JS ring API, spin loop (never sleeps)', run: (n, t) => jsRun('fast', n, t, -1) },
  { name: 'JS convenient API (injectBatch → loop; sleeps)', run: (n, t) => jsRun('convenient', n, t) },
];
const RING_ROWS = [3, 4, 5];
const CONVENIENT_ROW = 6;

const METHOD = (count: number, reps: number): string => `\
- One pipe, \`pipe:NAME{0\` → \`pipe:NAME}0\`, default size (4096 slots of
  2048 bytes each way), a fresh name per run. The sender and the receiver
  are two processes (the receiver spawns or forks the sender), not pinned:
  one core each on this 2-CPU machine, if nothing else runs.
- ${count.toLocaleString('en-US')} frames of ${SIZE} bytes per run. The sender writes a sequence number
  into each frame; the receiver reads it back (touching every packet) and
  counts the ones out of sequence. Mpps = frames received / the
  receiver's wall clock from its first frame to its last.
- Bare ring (the reference, bench/pipe-spsc.c): no library, two processes
  pinned to a core each and spinning, 2048 slots of {buffer, length},
  batches of 256, producer and consumer index on separate cache lines;
  "sequence bytes only" touches the 4 bytes the JS rows touch, "every
  byte" writes and reads all ${SIZE} (issue 13's definition). The ratio
  column divides by the first, faster one.
- C through the port contract: the same backend (csrc/port_pipe.c)
  driven from C, walking the ring exactly as JS does (head/cur
  in the shared header, one sync per batch). JS ring API: \`txRing()\` /
  \`rxRing()\`, slots written and read in place with typed arrays,
  nothing allocated per packet (bench/pipe-js.ts \`fast\`). JS convenient
  API: \`injectBatch()\` of 1024 Buffers on one side, \`loop(n, cb)\` with a
  Buffer per packet on the other (\`convenient\`). The JS senders never
  sleep (a full ring is re-synced); how each receiver waits is in its
  name: "sleeps when empty" goes to poll(2) as soon as its ring is empty,
  as a session does; "busy-poll" re-checks its ring for ${SPIN_US} µs first
  (\`waitReadable(1000, ${SPIN_US})\`); "spin loop" calls \`rx.sync()\` until
  something comes, never sleeping (the best a user with a core to spare
  gets).
- Every number is the median of ${reps} runs; repetitions interleaved, so a
  slow drift of the machine hits every row. A run lasts well under a
  second, and each end needs a core of its own: anything else running on
  the 2 CPUs (see the load averages below) moves single runs by a factor
  of several, the C reference's most. "runs (Mpps)" shows the spread.`;

/** Measure every path; returns the Markdown section for RESULTS.md. */
export async function pipeSection(opts: { count: number; reps: number }): Promise<string> {
  const { count, reps } = opts;
  const started = Date.now();
  // Bounded: at least 10 s, or 1 Mpps, whichever is longer (a run takes ~1 s).
  const timeoutMs = Math.max(10_000, count / 1e3);
  const rows: PipeRow[] = PATHS.map((p) => ({ name: p.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= reps; rep++) {
    for (const [i, p] of PATHS.entries()) {
      const what = `pipe rep ${rep}: ${p.name}`;
      try {
        const r = await p.run(count, timeoutMs);
        rows[i].runs.push(r);
        log(`${what}: ${r.received} packets, ${r.outOfSequence} out of sequence, ${r.mpps.toFixed(2)} Mpps`);
      } catch (err) {
        const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
        rows[i].failures.push(msg);
        log(`${what}: FAILED: ${msg}`);
      }
    }
  }
  const mppsOf = (r: PipeRow): number => (r.runs.length ? median(r.runs.map((x) => x.mpps)) : NaN);
  const bare = mppsOf(rows[0]);
  // The best a user gets from the ring API, and how.
  const ring = RING_ROWS.map((i) => rows[i]).filter((r) => r.runs.length)
    .sort((a, b) => mppsOf(b) - mppsOf(a))[0];
  const ringMpps = ring ? mppsOf(ring) : NaN;
  const convenientMpps = mppsOf(rows[CONVENIENT_ROW]);
  const verdict = (got: number, goal: number, what: string): string => Number.isNaN(got) || Number.isNaN(bare)
    ? `**not measured**`
    : `${got / bare >= goal ? '**met**' : '**not met**'}: ${what} ${got.toFixed(2)} Mpps = ${(got / bare).toFixed(2)}× the bare ring's ${bare.toFixed(2)}`;
  const target = Number.isNaN(ringMpps) ? '**not measured**'
    : `${ringMpps >= TARGET_MPPS ? '**met**' : '**not met**'}: ${ringMpps.toFixed(2)} Mpps (${ring!.name})`;
  const allIn = rows.every((r) => r.runs.every((x) => x.received === count && x.outOfSequence === 0));
  const failed = rows.reduce((k, r) => k + r.failures.length, 0);
  const took = ((Date.now() - started) / 1000).toFixed(0);
  return `## Pipes: JS → JS between two processes

${METHOD(count, reps)}

### Pipe, ${SIZE}-byte frames, ${count.toLocaleString('en-US')} per run

${pipeTable(rows, count)}

- Ring API ≥ ${RING_API_TARGET}× the bare ring (issue 13): ${verdict(ringMpps, RING_API_TARGET, `best row (${ring?.name ?? '—'})`)}.
- Convenient API ≥ ${CONVENIENT_TARGET}× the bare ring (issue 13): ${verdict(convenientMpps, CONVENIENT_TARGET, 'injectBatch → loop()')}.
- ≥ ${TARGET_MPPS} Mpps JS → JS with the ring API (10 Gbit/s of minimum-size frames, issue 6): ${target}.
- Counts: ${allIn ? `every run received all ${count.toLocaleString('en-US')} frames, in sequence` : '**some runs lost or reordered frames** (see the table)'}; ` +
    `${failed === 0 ? 'no run failed' : `**${failed} run(s) failed** (see the table)`}.

This part took ${took} s.`;
}
