/**
 * One worker thread of the distributor bench (bench/flows-fanout-child.ts):
 * opens `pipe:NAME}i`, feeds a FlowEngine of its own (TCP reassembly and the
 * flow table on), and at its end of input (EPIPE: the distributor closed)
 * posts the packets it read and its own thread's CPU time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FlowEngine, openLive } from '../index';
import { threadCpuNs } from './flows-thread-cpu';

const { port } = workerData as { port: string };
const engine = new FlowEngine();
let packets = 0;
let bytes = 0;
engine.tcp!.on('connection', (c) => {
  for (const s of [c.fromClient, c.fromServer]) s.on('data', (chunk: Uint8Array) => { bytes += chunk.length; });
});
const s = openLive(port);
const lt = s.datalink();
const cpu0 = threadCpuNs();
const count = process.env.FB_COUNT_ONLY === '1';
s.on('packet', (data, h) => { packets++; if (!count) engine.push(data, h, lt); });
s.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') { parentPort!.postMessage({ error: String(e) }); return; }
  engine.flush();
  parentPort!.postMessage({ packets, bytes, cpuNs: threadCpuNs() - cpu0 });
  s.close();
});
parentPort!.postMessage({ ready: true });
