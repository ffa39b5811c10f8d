/**
 * The distributor, one run in a process of its own (bench/flows-fanout.ts):
 *
 *   node flows-fanout-child.js FILE COUNT WORKERS
 *
 * Loads the first COUNT frames of FILE into memory, then WORKERS = 0: feeds
 * them to one FlowEngine in this thread (the peer: the same work, no
 * distributor); WORKERS = N: pushes them through a FanOut to N worker_threads
 * (bench/flows-fanout-worker.ts), 512 frames per turn of the event loop (the
 * pipes flush once per turn). Prints `result {…}`: frames in, frames the
 * workers read, drops, wall ns from the first frame to the last worker's
 * end, this thread's CPU ns and the workers' (thread schedstat).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FanOut, FlowEngine, openOffline } from '../index';
import type { PacketHeader } from '../index';
import { threadCpuNs } from './flows-thread-cpu';

const [file, countArg, workersArg] = process.argv.slice(2);
const COUNT = Number(countArg);
const WORKERS = Number(workersArg);

async function load(): Promise<Array<{ data: Buffer; h: PacketHeader }>> {
  const s = await openOffline(file);
  const out: Array<{ data: Buffer; h: PacketHeader }> = [];
  await s.loop(COUNT, (data, h) => { out.push({ data: Buffer.from(data), h: { ...h } }); });
  s.close();
  return out;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function alone(frames: Array<{ data: Buffer; h: PacketHeader }>): Promise<object> {
  const e = new FlowEngine();
  const t0 = process.hrtime.bigint();
  const c0 = threadCpuNs();
  for (const f of frames) e.push(f.data, f.h, 1);
  e.flush();
  return { pushed: frames.length, received: frames.length, drops: 0, wallNs: Number(process.hrtime.bigint() - t0),
    mainCpuNs: threadCpuNs() - c0, workerCpuNs: 0 };
}

async function fanned(frames: Array<{ data: Buffer; h: PacketHeader }>, n: number): Promise<object> {
  const fan = new FanOut({ name: `fb${process.pid}`, workers: n, ringSlots: 8192, txWaitMs: 2000 });
  const ends: Array<Promise<{ packets: number; cpuNs: number }>> = [];
  const ready: Array<Promise<void>> = [];
  for (const port of fan.ports) {
    const w = new Worker(join(__dirname, 'flows-fanout-worker.js'), { workerData: { port } });
    let onReady!: () => void;
    ready.push(new Promise((r) => { onReady = r; }));
    ends.push(new Promise((resolve, reject) => {
      w.on('message', (m: { ready?: boolean; error?: string; packets: number; cpuNs: number }) => {
        if (m.ready) onReady();
        else if (m.error) reject(new Error(m.error));
        else { resolve(m); void w.terminate(); }
      });
      w.on('error', reject);
    }));
  }
  await Promise.all(ready);
  const t0 = process.hrtime.bigint();
  const c0 = threadCpuNs();
  for (let i = 0; i < frames.length; i += 512) {
    const end = Math.min(frames.length, i + 512);
    for (let k = i; k < end; k++) fan.push(frames[k].data, frames[k].h);
    await turn();
  }
  const stats = fan.stats();
  fan.close();
  const mainCpuNs = threadCpuNs() - c0;
  const got = await Promise.all(ends);
  return { pushed: frames.length, received: got.reduce((a, g) => a + g.packets, 0), drops: stats.total.drops,
    wallNs: Number(process.hrtime.bigint() - t0), mainCpuNs, workerCpuNs: got.reduce((a, g) => a + g.cpuNs, 0),
    perWorker: stats.workers.map((w) => w.packets) };
}

async function main(): Promise<void> {
  const frames = await load();
  const r = WORKERS === 0 ? await alone(frames) : await fanned(frames, WORKERS);
  process.stdout.write(`result ${JSON.stringify(r)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => { process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`); process.exit(1); });
