// The conformance scenarios: one set, run unchanged on every backend's pair
// (pairs.ts). Each scenario observes and records; conformance.test.ts
// judges. Compiled into dist/ with the library so that it also runs as
// plain node inside the netmap VM, where ts-node is too slow.
//
// Usage: scenarios.js BACKEND OUT.json|- [SCENARIO ...]   (default: all)
// Writes { [scenario]: result } as JSON; a scenario that throws records
// { thrown: { code, message } } and the next one still runs.
import { writeFileSync } from 'node:fs';
import { openLive, LiveSession, PcapError } from '../../index';
import { PAIRS, PairFactory } from './pairs';
import { seqFrame, seqOf } from '../fixtures/frames';

/** What a scenario reports when it threw instead. */
export interface Thrown { thrown: { code: string; message: string } }

/** An operation's outcome: 'ok', or the PcapError code it threw. */
export type Outcome = string;

export interface RoundTrip {
  sent: number;
  received: number;
  inOrder: boolean;
  byteExact: boolean;
  size: number;
}

export interface Results {
  roundTrip60: { ab: RoundTrip; ba: RoundTrip };
  roundTripMax: { ab: RoundTrip; ba: RoundTrip };
  filter: { received: number[]; expected: number[] };
  stats: { received: number; recv: number; drop: number };
  partialBatch: { received: number; ms: number };
  badSlot: { rxHead: Outcome; txLen: Outcome; usableAfter: boolean };
  closeInCallback: { calls: number; viewAfterClose: number; closeAgain: Outcome; afterClose: Outcome };
  closeDuringDispatch: { handled: number; returned: boolean; closed: boolean };
  peerDeath: { error: string | null; uncaught: string | null; closeAfter: Outcome } | { notApplicable: string };
}

type Scenario = (pair: PairFactory, tag: string) => Promise<unknown>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Slower everything inside the emulated VM. */
const SLOW = process.env.NMP_CONTRACT_SLOW === '1' ? 10 : 1;

function outcome(fn: () => unknown): Outcome {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof PcapError ? e.code : `not a PcapError: ${(e as Error).message}`;
  }
}

function open(pair: PairFactory, tag: string, options: Record<string, unknown> = {}): [LiveSession, LiveSession] {
  const [na, nb] = pair.names(tag);
  const a = openLive(na, { timeout: 10, ...options });
  try {
    return [a, openLive(nb, { timeout: 10, ...options })];
  } catch (e) {
    a.close();
    throw e;
  }
}

/** Receive on rx until `n` frames or `quietMs` without one more. */
function collect(rx: LiveSession, n: number, quietMs: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve) => {
    let timer = setTimeout(done, quietMs);
    function done(): void {
      clearTimeout(timer);
      rx.removeListener('packet', onPacket);
      resolve(got);
    }
    function onPacket(data: Buffer): void {
      got.push(Buffer.from(data));
      if (got.length >= n) return done();
      if (got.length % 64 === 0) {
        clearTimeout(timer);
        timer = setTimeout(done, quietMs);
      }
    }
    rx.on('packet', onPacket);
  });
}

/** Send frames in chunks a ring can take, letting the receiver run between. */
async function send(tx: LiveSession, frames: Buffer[]): Promise<void> {
  const chunk = Math.max(1, Math.min(256, tx.txRing().numSlots >> 1));
  for (let i = 0; i < frames.length; i += chunk) {
    tx.injectBatch(frames.slice(i, i + chunk));
    await sleep(SLOW > 1 ? 5 : 0);
  }
}

async function roundTrip(tx: LiveSession, rx: LiveSession, n: number, size: number): Promise<RoundTrip> {
  const frames = Array.from({ length: n }, (_, i) => seqFrame(i, size));
  const got = collect(rx, n, 1000 * SLOW);
  await sleep(20);
  await send(tx, frames);
  const received = await got;
  return {
    sent: n, received: received.length, size,
    inOrder: received.every((g, i) => seqOf(g) === i),
    byteExact: received.every((g, i) => g.equals(frames[i])),
  };
}

/** The largest frame both ends of the pair take. */
function maxFrame(a: LiveSession, b: LiveSession): number {
  return Math.min(a.txRing().bufSize, b.txRing().bufSize, a.snaplen, b.snaplen);
}

const scenarios: Record<keyof Results, Scenario> = {
  // Byte-exact and in order, both ways, at the smallest Ethernet frame ...
  async roundTrip60(pair, tag) {
    const [a, b] = open(pair, tag);
    try {
      return { ab: await roundTrip(a, b, 500, 60), ba: await roundTrip(b, a, 500, 60) };
    } finally { b.close(); a.close(); }
  },

  // ... and at the largest the backend takes.
  async roundTripMax(pair, tag) {
    const [a, b] = open(pair, tag);
    try {
      const size = maxFrame(a, b);
      return { ab: await roundTrip(a, b, 100, size), ba: await roundTrip(b, a, 100, size) };
    } finally { b.close(); a.close(); }
  },

  // libpcap's filter semantics, wherever the program runs (kernel or shim):
  // only frames whose sequence number is odd pass.
  async filter(pair, tag) {
    const [a, b] = open(pair, tag);
    try {
      b.setFilter('ether proto 0x88b5 and ether[17] & 1 = 1');
      const frames = Array.from({ length: 40 }, (_, i) => seqFrame(i, 60));
      const got = collect(b, 20, 1000 * SLOW);
      await sleep(20);
      await send(a, frames);
      return { received: (await got).map(seqOf), expected: frames.map(seqOf).filter((s) => s % 2 === 1) };
    } finally { b.close(); a.close(); }
  },

  // Counters agree with what was delivered.
  async stats(pair, tag) {
    const [a, b] = open(pair, tag, { filter: 'ether proto 0x88b5' });
    try {
      const r = await roundTrip(a, b, 300, 60);
      const st = b.stats();
      return { received: r.received, recv: st.recv, drop: st.drop };
    } finally { b.close(); a.close(); }
  },

  // A batch that never fills is still delivered, within the timeout.
  async partialBatch(pair, tag) {
    const [a, b] = open(pair, tag, { timeout: 50 });
    try {
      const got = collect(b, 3, 3000 * SLOW);
      await sleep(20);
      const start = Date.now();
      a.injectBatch([seqFrame(0, 60), seqFrame(1, 60), seqFrame(2, 60)]);
      const received = (await got).length;
      return { received, ms: Date.now() - start };
    } finally { b.close(); a.close(); }
  },

  // Indices and lengths JS writes are checked in C; the ring survives.
  async badSlot(pair, tag) {
    const [a, b] = open(pair, tag);
    try {
      const rx = b.rxRing();
      // Nothing was sent, so [head, tail) is empty: any other head is outside it.
      const rxHead = outcome(() => { rx.head = (rx.tail + 1) % rx.numSlots; rx.sync(); });
      const tx = a.txRing();
      tx.sync();
      const txLen = outcome(() => { tx.setSlotLen(tx.head, tx.bufSize + 1); tx.advance(tx.next(tx.head)); tx.sync(); });
      const again = await roundTrip(a, b, 10, 60);
      return { rxHead, txLen, usableAfter: again.received === 10 && again.byteExact && again.inOrder };
    } finally { b.close(); a.close(); }
  },

  // close() inside a 'packet' callback: no further call, views emptied.
  async closeInCallback(pair, tag) {
    const [a, b] = open(pair, tag);
    try {
      let calls = 0;
      let view: Buffer | undefined;
      const closed = new Promise<void>((resolve) => b.once('close', () => resolve()));
      b.on('packet', (data) => {
        calls++;
        view = data;
        b.close();
      });
      await sleep(20);
      a.injectBatch(Array.from({ length: 10 }, (_, i) => seqFrame(i, 60)));
      await Promise.race([closed, sleep(3000 * SLOW)]);
      await sleep(100 * SLOW); // a call after close would come in this time
      return {
        calls, viewAfterClose: view ? view.length : -1,
        closeAgain: outcome(() => b.close()), afterClose: outcome(() => b.stats()),
      };
    } finally { b.close(); a.close(); }
  },

  // close() from inside dispatch's callback ends that dispatch cleanly.
  async closeDuringDispatch(pair, tag) {
    const [a, b] = open(pair, tag);
    try {
      a.injectBatch(Array.from({ length: 10 }, (_, i) => seqFrame(i, 60)));
      let handled = 0;
      const deadline = Date.now() + 3000 * SLOW;
      while (handled === 0 && Date.now() < deadline) {
        handled = b.dispatch(0, () => b.close());
        if (handled === 0) await sleep(10);
      }
      return { handled, returned: true, closed: b.closed };
    } finally { b.close(); a.close(); }
  },

  // The link or the peer dies under a capture: 'error' with a code, nothing
  // thrown into the event loop, and the session still closes.
  async peerDeath(pair, tag) {
    const { kill } = pair;
    if (typeof kill !== 'function') return kill;
    const [a, b] = open(pair, tag);
    let uncaught: string | null = null;
    const onUncaught = (e: Error): void => { uncaught = e.message; };
    process.on('uncaughtException', onUncaught);
    try {
      const error = new Promise<string>((resolve) => a.once('error', (e: PcapError) => resolve(e.code)));
      a.on('packet', () => {});
      await sleep(50);
      kill(a, b);
      const code = await Promise.race([error, sleep(3000 * SLOW).then(() => null)]);
      return { error: code, uncaught, closeAfter: outcome(() => a.close()) };
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      b.close();
      a.close();
    }
  },
};

export const SCENARIOS = Object.keys(scenarios) as (keyof Results)[];

async function main(): Promise<void> {
  const [backend, out, ...only] = process.argv.slice(2);
  const pair = PAIRS[backend];
  if (!pair || !out) throw new Error(`usage: scenarios BACKEND OUT.json|- [SCENARIO ...]; backends: ${Object.keys(PAIRS)}`);
  const results: Record<string, unknown> = {};
  let n = 0;
  for (const name of only.length ? only : SCENARIOS) {
    const run = scenarios[name as keyof Results];
    if (!run) throw new Error(`no scenario "${name}"; scenarios: ${SCENARIOS}`);
    try {
      results[name] = await run(pair, `${process.pid % 10000}x${n++}`);
    } catch (e) {
      const err = e as PcapError;
      results[name] = { thrown: { code: err.code ?? 'none', message: err.message } } satisfies Thrown;
    }
  }
  const text = JSON.stringify(results);
  if (out === '-') process.stdout.write(`${text}\n`);
  else writeFileSync(out, text);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}
