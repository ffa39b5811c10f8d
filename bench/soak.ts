/**
 * `npm run soak`: long runs that must not grow, lose or reorder. Not part
 * of `npm test`. As root (it makes a network namespace, bench/netns.sh).
 *
 * Five workloads run side by side, each in its own process
 * (bench/soak/worker.ts), for SOAK_MINUTES (10):
 *   live      a 'packet' listener on nmp1 while bench/gen floods nmp0 at
 *             the highest rate the veth path gives, run after bounded run;
 *   offline   a 64 MiB savefile read with a filter, over and over;
 *   pipe      numbered frames between two processes over pipe:;
 *   inject    inject() one frame per call on a second veth pair, sk0.
 * Each samples its RSS, V8 heap, external memory, descriptors and mapped
 * regions every SOAK_SAMPLE_S (5) seconds. After the warm-up (the first
 * fifth, at least 30 s) the run fails if any of them grows beyond a small
 * bound, if a packet is lost beyond the drops the kernel counts and
 * stats() reports, or if one arrives out of order. Prints a table and
 * writes bench/out/soak.json.
 *
 * Network rules: both ends of both veth pairs are inside the namespace,
 * which goes on every way out; every sender is bounded in frames and time.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child, killAll, sleep } from './child';
import { buildGen, GEN, loadNow, Netns, OUT, requireRoot } from './env';
import { ensureCapture } from './offline';
import type { Sample } from './soak/sample';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const sampleS = Number(process.env.SOAK_SAMPLE_S ?? 5);
const WORKER = join(__dirname, 'soak', 'worker.js');

interface Workload { name: string; child: Child; samples: Sample[] }

/** Growth allowed after warm-up: small, and never for descriptors. */
const BOUNDS: Record<'rss' | 'heapUsed' | 'external' | 'fds' | 'maps', (base: number) => number> = {
  rss: (b) => Math.max(16 << 20, b * 0.1),
  heapUsed: (b) => Math.max(8 << 20, b * 0.25),
  external: (b) => Math.max(8 << 20, b * 0.25),
  fds: () => 0,
  // V8 maps its heap in chunks: a step of 16 regions is growth of the heap
  // (bounded above); a leak per file, pass or batch grows past this.
  maps: (b) => Math.max(16, b * 0.1),
};

function samplesOf(child: Child): Sample[] {
  return child.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Sample);
}

/** Growth of each gauge: the low point of the last third against the low
 * point of the first third after warm-up (low points see through GC). */
function growth(samples: Sample[], warmupS: number): { gauge: string; base: number; end: number; ok: boolean }[] {
  const steady = samples.filter((s) => s.t >= warmupS);
  if (steady.length < 6) return [{ gauge: 'samples', base: 0, end: steady.length, ok: false }];
  const third = Math.floor(steady.length / 3);
  const low = (xs: Sample[], k: keyof typeof BOUNDS) => Math.min(...xs.map((s) => s[k]));
  return (Object.keys(BOUNDS) as (keyof typeof BOUNDS)[]).map((gauge) => {
    const base = low(steady.slice(0, third), gauge);
    const end = low(steady.slice(-third), gauge);
    return { gauge, base, end, ok: end - base <= BOUNDS[gauge](base) };
  });
}

async function main(): Promise<void> {
  requireRoot();
  if (!(minutes > 0) || !(sampleS > 0)) throw new Error('SOAK_MINUTES and SOAK_SAMPLE_S must be positive');
  buildGen();
  const { path: file } = await ensureCapture('imix', 64);
  const ns = new Netns();
  const cleanup = (): void => { killAll(); ns.down(); };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanup(); process.exit(130); });
  ns.up();
  try {
    const sh = (args: string[]): string => execFileSync('ip', ['-n', ns.name, ...args], { encoding: 'utf8' });
    sh(['link', 'add', 'sk0', 'type', 'veth', 'peer', 'name', 'sk1']);
    sh(['link', 'set', 'sk0', 'up']);
    sh(['link', 'set', 'sk1', 'up']);
    const counter = (dev: string, name: string) => ns.counter(dev, name);
    const inNs = (args: string[]) => ['ip', 'netns', 'exec', ns.name, process.execPath, WORKER, ...args];
    const pipe = `soak${process.pid}`;
    const s = String(sampleS);
    const workloads: Workload[] = [
      ['live', inNs(['live', s, 'nmp1'])],
      ['offline', [process.execPath, WORKER, 'offline', s, file]],
      ['pipe-rx', [process.execPath, WORKER, 'pipe-rx', s, pipe]],
      ['pipe-tx', [process.execPath, WORKER, 'pipe-tx', s, pipe]],
      ['inject', inNs(['inject', s, 'sk0'])],
    ].map(([name, argv]) => ({ name: name as string, child: new Child(argv as string[]), samples: [] }));
    // Every worker has opened its ports (its first sample) before gen starts,
    // so that everything the kernel counts arriving was there to capture.
    for (const w of workloads) await w.child.waitFor(/^\{/, 60_000, w.name);
    const start = { nmp1: counter('nmp1', 'rx_packets'), sk1: counter('sk1', 'rx_packets'), sk0drop: counter('sk0', 'tx_dropped'), sk0tx: counter('sk0', 'tx_packets') };
    const end = Date.now() + minutes * 60_000;
    let genRuns = 0;
    let genSent = 0;
    while (Date.now() < end) {
      // One bounded gen run (2M frames or 10 s), then a breath.
      const g = new Child(ns.exec(0, GEN, ['-i', 'nmp0', '-n', '2000000', '-s', '60', '-m', 'txring', '-d', '10']));
      if ((await g.finish(30_000)) !== 0) throw new Error(`gen failed: ${g.failure()}`);
      genSent += JSON.parse(g.stdout.find((l) => l.startsWith('{'))!).sent;
      genRuns++;
      for (const w of workloads) if (!w.child.running) throw new Error(`${w.name} died: ${w.child.failure()}`);
      await sleep(500);
    }
    await sleep(1500); // the last partial block retires
    // The pipe's sender first, so that its receiver can read the last frames.
    const order = [...workloads].sort((a, b) => Number(b.name === 'pipe-tx') - Number(a.name === 'pipe-tx'));
    order[0].child.proc.kill('SIGTERM');
    await order[0].child.finish(15_000);
    await sleep(1000);
    for (const w of order.slice(1)) w.child.proc.kill('SIGTERM');
    for (const w of workloads) {
      const code = await w.child.finish(15_000);
      w.samples = samplesOf(w.child);
      if (code !== 0) throw new Error(`${w.name} exited ${code}: ${w.child.failure()}`);
    }
    const arrived = counter('nmp1', 'rx_packets') - start.nmp1;
    const injectArrived = counter('sk1', 'rx_packets') - start.sk1 + counter('sk0', 'tx_dropped') - start.sk0drop;
    const injectLeft = counter('sk0', 'tx_packets') - start.sk0tx;
    judge(workloads, { arrived, injectArrived, injectLeft, genRuns, genSent });
  } finally {
    cleanup();
  }
}

function judge(workloads: Workload[], kernel: { arrived: number; injectArrived: number; injectLeft: number; genRuns: number; genSent: number }): void {
  const warmupS = Math.max(30, minutes * 60 / 5);
  const failures: string[] = [];
  const last = (name: string) => workloads.find((w) => w.name === name)!.samples.at(-1)!;
  const rows: string[] = ['| workload | seconds | packets | peak RSS MiB | final RSS MiB | fds | maps | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const w of workloads) {
    const g = growth(w.samples, warmupS);
    const bad = g.filter((x) => !x.ok);
    for (const b of bad) failures.push(`${w.name}: ${b.gauge} grew from ${b.base} to ${b.end}`);
    const l = w.samples.at(-1)!;
    const mib = (x: number) => (x / 2 ** 20).toFixed(1);
    rows.push(`| ${w.name} | ${l.t.toFixed(0)} | ${l.packets.toLocaleString('en-US')} | ` +
      `${mib(Math.max(...w.samples.map((x) => x.rss)))} | ${mib(l.rss)} | ${l.fds} | ${l.maps} | ` +
      `${bad.length ? 'grew' : 'steady'} |`);
  }
  // Loss and order, against what the kernel counted.
  const live = last('live');
  const lost = kernel.arrived - live.packets - live.counters.drop;
  if (lost !== 0) failures.push(`live: ${kernel.arrived} arrived, ${live.packets} captured, ${live.counters.drop} dropped (stats): ${lost} unaccounted`);
  if (live.counters.reordered) failures.push(`live: ${live.counters.reordered} out of order`);
  const off = last('offline');
  if (off.counters.mismatches) failures.push(`offline: ${off.counters.mismatches} passes gave another count`);
  const tx = last('pipe-tx');
  const rx = last('pipe-rx');
  if (rx.packets !== tx.packets) failures.push(`pipe: ${tx.packets} sent, ${rx.packets} received`);
  if (rx.counters.reordered) failures.push(`pipe: ${rx.counters.reordered} out of order`);
  const inj = last('inject');
  if (kernel.injectArrived !== inj.packets) failures.push(`inject: ${inj.packets} injected, ${kernel.injectLeft} left sk0, ${kernel.injectArrived} reached sk1 or were dropped by veth`);
  const text = [`Soak: ${minutes} min, samples every ${sampleS} s, warm-up ${warmupS} s; ` +
    `gen ran ${kernel.genRuns} times (${kernel.genSent.toLocaleString('en-US')} frames); load ${loadNow()}`, '',
    ...rows, '', failures.length ? `FAILED:\n- ${failures.join('\n- ')}` : 'PASSED: nothing grew, nothing lost, nothing reordered.'].join('\n');
  process.stdout.write(`${text}\n`);
  writeFileSync(join(OUT, 'soak.json'), JSON.stringify({ minutes, sampleS, kernel, failures,
    workloads: workloads.map((w) => ({ name: w.name, samples: w.samples })) }, null, 1));
  if (failures.length) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`soak: ${(e as Error).stack}\n`);
  killAll();
  process.exit(1);
});
