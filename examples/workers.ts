// One ring per core (§2.1): N worker_threads each open the same interface
// in the same AF_PACKET fanout group, so the kernel hands every packet to
// exactly one of them; each worker owns its ring alone (no locks) and walks
// it with rxRing() + waitReadable(), allocating nothing per packet. The
// main thread prints per-worker and total counts.
//
//   npm run build:ts
//   sudo node dist/examples/workers.js DEVICE [WORKERS] [--seconds S] [--count N]
//                                      [--mode hash|lb|cpu|rollover] [--group G] [--json]
//
// WORKERS defaults to the number of CPUs, --seconds to 10, --mode to hash
// (a flow always lands on the same worker; non-IP traffic has no flow to
// hash and may all land on one worker: use lb). It stops after S seconds or
// once the workers together have N packets. --json prints one JSON line.
//
// The worker is this same file: `new Worker(__filename)`, `isMainThread`
// tells the two apart. Run the compiled file (dist/examples/workers.js);
// under ts-node the workers inherit its loader through execArgv.
//
// Library use: `runWorkers({ device, workers, ... })` starts them and
// returns { ready, result } (test/fixtures/workers-fanout.ts uses it).
import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkPortName, FanoutMode, LiveSession, openLive, PcapError, ringLayout } from '../index';

export interface WorkersOptions {
  device: string;
  /** Number of workers (rings). Default: one per CPU. */
  workers?: number;
  /** Fanout group id (0-65535). Default: derived from the process id. */
  group?: number;
  mode?: FanoutMode;
  /** Stop after this long. Default 10 s. */
  seconds?: number;
  /** Stop once the workers together have this many packets. */
  count?: number;
  /** Each worker's kernel ring size (openLive's bufferSize). Default 8 MiB. */
  bufferSize?: number;
}

export interface WorkerCount {
  worker: number;
  packets: number;
  bytes: number;
  /** Packets the kernel dropped on this worker's ring. */
  drops: number;
}

export interface WorkersResult {
  device: string;
  mode: FanoutMode;
  group: number;
  seconds: number;
  workers: WorkerCount[];
  total: { packets: number; bytes: number; drops: number };
}

interface WorkerParams {
  role: 'netmap-pcap-fanout-worker';
  index: number;
  device: string;
  group: number;
  mode: FanoutMode;
  bufferSize?: number;
  /** [0]: 1 = stop. */
  stop: SharedArrayBuffer;
  /** Float64 [packets, bytes] per worker; each worker writes only its own pair. */
  counters: SharedArrayBuffer;
}

type FromWorker =
  | { type: 'ready'; index: number }
  | { type: 'done'; count: WorkerCount }
  | { type: 'error'; index: number; message: string; code?: string };

/** The worker: open one member of the group, walk its ring until told to stop. */
function workerMain(p: WorkerParams): void {
  const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, LEN } = ringLayout;
  const stop = new Int32Array(p.stop);
  const counters = new Float64Array(p.counters);
  const post = (m: FromWorker) => parentPort!.postMessage(m);
  let session: LiveSession;
  try {
    session = openLive(p.device, { fanout: { group: p.group, mode: p.mode }, timeout: 20, bufferSize: p.bufferSize });
  } catch (e) {
    const err = e as PcapError;
    post({ type: 'error', index: p.index, message: err.message, code: err.code });
    return;
  }
  const rx = session.rxRing();
  const { words, numSlots } = rx;
  let packets = 0;
  let bytes = 0;
  post({ type: 'ready', index: p.index });
  while (Atomics.load(stop, 0) === 0) {
    rx.sync(); // hand back what we walked, publish what arrived
    let h = words[HEAD];
    const t = words[TAIL];
    if (h === t) {
      session.waitReadable(100); // sleeps in poll(2); wakes to check `stop`
      continue;
    }
    while (h !== t) {
      bytes += words[SLOT0 + h * SLOT_WORDS + LEN];
      packets++;
      h = h + 1 === numSlots ? 0 : h + 1;
    }
    words[HEAD] = h;
    words[CUR] = h;
    counters[2 * p.index] = packets;
    counters[2 * p.index + 1] = bytes;
  }
  rx.sync();
  const drops = session.stats().drop;
  session.close();
  post({ type: 'done', count: { worker: p.index, packets, bytes, drops } });
}

/** What runWorkers hands back. */
export interface Workers {
  /** Resolves once every worker has joined the group: send traffic after it. */
  ready: Promise<void>;
  /** Resolves once the workers have stopped and reported. */
  result: Promise<WorkersResult>;
  /** Stop now, before the time or count limit. */
  stop(): void;
  /** Packets the workers together have counted so far. */
  packets(): number;
}

/** Start the workers. */
export function runWorkers(o: WorkersOptions): Workers {
  checkPortName(o.device); // a bad name throws here, not once per worker
  const n = o.workers ?? Math.max(1, cpus().length);
  const mode = o.mode ?? 'hash';
  const group = o.group ?? (process.pid & 0xffff);
  const seconds = o.seconds ?? 10;
  const stop = new SharedArrayBuffer(4);
  const counters = new SharedArrayBuffer(16 * n);
  const stopFlag = new Int32Array(stop);
  const live = new Float64Array(counters);
  const packets = () => {
    let total = 0;
    for (let i = 0; i < n; i++) total += live[2 * i];
    return total;
  };
  const counts: WorkerCount[] = [];
  let readyCount = 0;
  let onReady!: () => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => { onReady = resolve; onFail = reject; });
  ready.catch(() => {}); // the same failure also rejects `result`
  const result = new Promise<WorkersResult>((resolve, reject) => {
    const t0 = Date.now();
    let finished = 0;
    let failed: Error | undefined;
    const fail = (e: Error) => {
      failed ??= e;
      Atomics.store(stopFlag, 0, 1);
      onFail(e);
    };
    const timer = setInterval(() => {
      if (Date.now() - t0 >= seconds * 1000 || (o.count !== undefined && packets() >= o.count)) {
        Atomics.store(stopFlag, 0, 1);
      }
    }, 10);
    for (let index = 0; index < n; index++) {
      const params: WorkerParams = { role: 'netmap-pcap-fanout-worker', index, device: o.device, group, mode,
        bufferSize: o.bufferSize, stop, counters };
      const w = new Worker(__filename, { workerData: params });
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready' && ++readyCount === n) onReady();
        else if (m.type === 'done') counts.push(m.count);
        else if (m.type === 'error') fail(new PcapError(`worker ${m.index}: ${m.message}`, (m.code ?? 'EIO') as never));
      });
      w.on('error', fail);
      w.on('exit', () => {
        if (++finished < n) return;
        clearInterval(timer);
        if (failed) return reject(failed);
        if (counts.length !== n) return reject(new Error(`only ${counts.length} of ${n} workers reported`));
        counts.sort((a, b) => a.worker - b.worker);
        const sum = (k: 'packets' | 'bytes' | 'drops') => counts.reduce((s, c) => s + c[k], 0);
        resolve({ device: o.device, mode, group, seconds: (Date.now() - t0) / 1000, workers: counts,
          total: { packets: sum('packets'), bytes: sum('bytes'), drops: sum('drops') } });
      });
    }
  });
  return { ready, result, stop: () => Atomics.store(stopFlag, 0, 1), packets };
}

function parseArgs(argv: string[]): WorkersOptions & { json: boolean } {
  const pos: string[] = [];
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') o.json = '1';
    else if (argv[i].startsWith('--')) o[argv[i].slice(2)] = argv[++i];
    else pos.push(argv[i]);
  }
  if (!pos[0]) {
    console.error('usage: node dist/examples/workers.js DEVICE [WORKERS] [--seconds S] [--count N] ' +
      '[--mode hash|lb|cpu|rollover] [--group G] [--json]');
    process.exit(2);
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  return { device: pos[0], workers: num(pos[1]), seconds: num(o.seconds), count: num(o.count),
    mode: o.mode as FanoutMode | undefined, group: num(o.group), json: o.json === '1' };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const { ready, result } = runWorkers(opts);
  await ready;
  console.error(`${opts.workers ?? cpus().length} workers capturing on ${opts.device}; ` +
    `stops after ${opts.seconds ?? 10} s${opts.count ? ` or ${opts.count} packets` : ''}`);
  const r = await result;
  if (opts.json) {
    console.log(JSON.stringify(r));
    return;
  }
  for (const w of r.workers) {
    console.log(`worker ${w.worker}: ${w.packets} packets, ${w.bytes} bytes, ${w.drops} dropped`);
  }
  console.log(`total: ${r.total.packets} packets, ${r.total.bytes} bytes, ${r.total.drops} dropped ` +
    `in ${r.seconds.toFixed(1)} s (fanout group ${r.group}, mode ${r.mode})`);
}

if (!isMainThread && workerData?.role === 'netmap-pcap-fanout-worker') {
  workerMain(workerData as WorkerParams);
} else if (isMainThread && require.main === module) {
  main().catch((e) => {
    console.error(e instanceof PcapError ? `${e.code}: ${e.message}` : e);
    process.exit(1);
  });
}
