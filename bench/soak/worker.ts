/**
 * One soak workload per process (bench/soak.ts starts them): it runs until
 * SIGTERM, printing a sample (bench/soak/sample.ts) every few seconds, and
 * a last one on the way out. Usage: worker.js KIND SAMPLE_SECONDS [ARGS].
 *
 *   live IF            capture everything on IF with a 'packet' listener;
 *                      count, and check the sequence numbers gen stamps
 *   offline FILE       read FILE with a filter in a loop; every pass must
 *                      give the same count
 *   pipe-tx NAME       send numbered frames into pipe:NAME{0 forever
 *   pipe-rx NAME       receive them on pipe:NAME}0: all, in order
 *   inject IF          inject() one frame per call on IF, in bounded bursts
 */
import { openLive, openOffline, PcapError } from '../../index';
import { reportEvery } from './sample';

const [kind, every, arg] = process.argv.slice(2);
const seconds = Number(every);
let stopping = false;
let stop: () => void = () => {};
process.on('SIGTERM', () => { stopping = true; });

/** Frame `seq` of 60 bytes: gen's layout (ethertype 0x88b5, seq at 14). */
function frame(seq: number): Buffer {
  const b = Buffer.alloc(60);
  b.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5]);
  b.writeUInt32BE(seq >>> 0, 14);
  return b;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function live(dev: string): Promise<void> {
  const s = openLive(dev, { bufferSize: 64 << 20 });
  let packets = 0;
  let reordered = 0;
  let last = -1;
  s.on('packet', (data: Buffer) => {
    packets++;
    const seq = data.readUInt32BE(14);
    // gen numbers each run from 0; going back to a small number is a new
    // run (its first frames may have been dropped), anything else is not.
    if (seq <= last && seq >= 4096) reordered++;
    last = seq;
  });
  s.on('error', (e: PcapError) => process.stderr.write(`live: ${e.code} ${e.message}\n`));
  stop = reportEvery(seconds, () => {
    const st = s.stats();
    return { packets, counters: { reordered, drop: st.drop, ifdrop: st.ifdrop, recv: st.recv } };
  });
  while (!stopping) await new Promise((r) => setTimeout(r, 100));
}

async function offline(file: string): Promise<void> {
  let packets = 0;
  let passes = 0;
  let firstCount = -1;
  let mismatches = 0;
  stop = reportEvery(seconds, () => ({ packets, counters: { passes, mismatches, perPass: firstCount } }));
  while (!stopping) {
    const s = await openOffline(file, { filter: 'udp and dst port 53' });
    let n = 0;
    await s.loop(0, () => { n++; });
    s.close();
    packets += n;
    passes++;
    if (firstCount < 0) firstCount = n;
    else if (n !== firstCount) mismatches++;
  }
}

async function pipeTx(name: string): Promise<void> {
  const s = openLive(`pipe:${name}{0`);
  let seq = 0;
  let full = 0;
  stop = reportEvery(seconds, () => ({ packets: seq, counters: { full } }));
  const batch = Array.from({ length: 256 }, () => Buffer.alloc(60));
  while (!stopping) {
    for (let i = 0; i < batch.length; i++) frame(seq + i).copy(batch[i]);
    try {
      seq += s.injectBatch(batch);
    } catch (e) {
      const err = e as PcapError & { sent?: number };
      if (err.code !== 'EAGAIN') throw e;
      seq += err.sent ?? 0; // the ring stayed full: the receiver is behind
      full++;
    }
    await turn();
  }
  s.close();
}

async function pipeRx(name: string): Promise<void> {
  const s = openLive(`pipe:${name}}0`);
  let packets = 0;
  let reordered = 0;
  s.on('packet', (data: Buffer) => {
    if (data.readUInt32BE(14) !== (packets >>> 0)) reordered++;
    packets++;
  });
  // The sender stops first (bench/soak.ts); its end closing is EPIPE here,
  // after every frame it sent has been read.
  let drop = 0;
  s.on('error', (e: PcapError) => { if (e.code !== 'EPIPE') throw e; });
  stop = reportEvery(seconds, () => {
    if (!s.closed) drop = s.stats().drop;
    return { packets, counters: { reordered, drop } };
  });
  while (!stopping) await new Promise((r) => setTimeout(r, 100));
}

async function inject(dev: string): Promise<void> {
  const s = openLive(dev, { direction: 'in' });
  let sent = 0;
  let refused = 0;
  stop = reportEvery(seconds, () => ({ packets: sent, counters: { refused } }));
  const f = frame(0);
  while (!stopping) {
    // Bounded: 2000 frames per turn of the event loop.
    for (let i = 0; i < 2000; i++) {
      f.writeUInt32BE(sent >>> 0, 14);
      try {
        s.inject(f);
        sent++;
      } catch (e) {
        if ((e as PcapError).code !== 'EAGAIN') throw e;
        refused++;
        break;
      }
    }
    await turn();
  }
  // Every frame inject() took must leave: close() alone flushes for 100 ms.
  await s.drain({ timeoutMs: 30_000 });
  s.close();
}

const kinds: Record<string, (arg: string) => Promise<void>> = {
  live, offline, 'pipe-tx': pipeTx, 'pipe-rx': pipeRx, inject,
};

const run = kinds[kind];
if (!run || !(seconds > 0) || !arg) {
  process.stderr.write(`usage: worker.js ${Object.keys(kinds).join('|')} SAMPLE_SECONDS ARG\n`);
  process.exit(2);
}
run(arg).then(() => { stop(); process.exit(0); }, (e) => {
  process.stderr.write(`error: ${kind}: ${(e as Error).stack}\n`);
  stop();
  process.exit(1);
});
