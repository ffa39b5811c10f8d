// Transparent TX batching and the full-ring contract (docs/shapes.md §1,
// §2) on pipe: ports, where a receiver that does not read keeps the ring
// full for as long as the test likes.
import t, { Test } from 'tap';
import { once } from 'node:events';
import { join } from 'node:path';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { openLive, LiveSession, PcapError } from '../index';
import { runChild } from './helpers/child';
import { seqFrame, seqOf } from './fixtures/frames';
import { errorOf } from './helpers/errors';

let count = 0;
const pipeName = () => `txq${process.pid}x${count++}`;
type TxErr = PcapError & { sent?: number; frame?: number };

function pair(t: Test, opts: { txWaitMs?: number } = {}): [LiveSession, LiveSession] {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`, { ringSlots: 128, bufferSize: 128 * 2048, ...opts });
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => { s.close(); m.close(); });
  return [m, s];
}

const thrown = (fn: () => unknown) => errorOf<TxErr>(fn);

/** Read everything the receiver holds: [seqs, all byte-exact]. */
function drain(s: LiveSession): [number[], boolean] {
  const seqs: number[] = [];
  let exact = true;
  try {
    while (s.dispatch(0, (d, h) => {
      seqs.push(seqOf(d));
      if (!d.equals(seqFrame(seqOf(d), h.len))) exact = false;
    }) > 0);
  } catch (e) {
    // The sender has gone (closed, exited): after all it sent.
    if ((e as PcapError).code !== 'EPIPE') throw e;
  }
  return [seqs, exact];
}

const SLACK_MS = 300; // a loaded 2-core machine; the old waits were 1 s and more

t.test('a full ring: EAGAIN with sent after txWaitMs, never blocking longer', async (t) => {
  const [m, s] = pair(t);
  const free = m.txRing().numSlots - 1;
  let queued = 0;
  let err: TxErr | undefined;
  let longest = 0;
  while (!err && queued < 10 * free) {
    const t0 = performance.now();
    err = thrown(() => m.inject(seqFrame(queued, 60)));
    longest = Math.max(longest, performance.now() - t0);
    if (!err) queued++;
  }
  t.equal(queued, free, 'the ring took one frame per free slot');
  t.equal(err?.code, 'EAGAIN');
  t.equal(err?.sent, 0, 'inject: sent 0');
  t.match(err?.message, /txWaitMs/, 'the message names the option');
  t.ok(longest >= 19 && longest < 20 + SLACK_MS, `the throwing call waited its bound, no more (${longest.toFixed(1)} ms)`);

  // The receiver takes 10: a batch of 20 queues 10, then EAGAIN, sent 10.
  t.equal(s.dispatch(10, () => {}), 10);
  s.rxRing().sync(); // hands the 10 slots back to the sender
  const t0 = performance.now();
  const batchErr = thrown(() => m.injectBatch(Array.from({ length: 20 }, (_, i) => seqFrame(queued + i, 60))));
  const took = performance.now() - t0;
  t.equal(batchErr?.code, 'EAGAIN');
  t.equal(batchErr?.sent, 10, 'injectBatch: sent counts what this call queued');
  t.ok(took < 20 + SLACK_MS, `injectBatch bounded in all (${took.toFixed(1)} ms)`);
  queued += 10;
  const [seqs, exact] = drain(s);
  t.same(seqs, Array.from({ length: queued - 10 }, (_, i) => i + 10), 'the rest arrive, in order');
  t.ok(exact, 'byte-exact');
});

t.test('txWaitMs: 0 never waits', async (t) => {
  const [m] = pair(t, { txWaitMs: 0 });
  const free = m.txRing().numSlots - 1;
  for (let i = 0; i < free; i++) m.inject(seqFrame(i, 60));
  const t0 = performance.now();
  const err = thrown(() => m.inject(seqFrame(free, 60)));
  t.equal(err?.code, 'EAGAIN');
  t.ok(performance.now() - t0 < SLACK_MS / 3, 'at once');
  t.throws(() => openLive(`pipe:${pipeName()}{0`, { txWaitMs: -1 }), { code: 'EINVAL' });
  t.throws(() => openLive(`pipe:${pipeName()}{0`, { txwait: 5 } as object), { code: 'EINVAL', message: /should be "txWaitMs"/ });
});

t.test('send() waits for room through the event loop', async (t) => {
  const [m, s] = pair(t);
  const n = 500; // ~4 ring-fulls
  const frames = Array.from({ length: n }, (_, i) => seqFrame(i, 60 + (i % 9) * 150));
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 2);
  let done = false;
  const sending = m.send(frames).then((k) => { done = true; return k; });
  await sleep(200);
  t.equal(done, false, 'pending while the receiver does not read');
  // A blocked loop would show at most one tick; a loaded machine fewer than 100.
  t.ok(ticks >= 3, `the event loop kept turning (${ticks} ticks of 2 ms in 200 ms)`);
  const got: number[] = [];
  let exact = true;
  while (!done) {
    s.dispatch(0, (d, h) => { got.push(seqOf(d)); if (!d.equals(frames[seqOf(d)].subarray(0, h.len))) exact = false; });
    await turn();
  }
  clearInterval(timer);
  t.equal(await sending, n, 'resolves with the count');
  await turn();
  got.push(...drain(s)[0]);
  t.same(got, frames.map((_, i) => i), 'all, in order');
  t.ok(exact, 'byte-exact');
  // A frame that is wrong rejects before anything of the call is queued.
  await t.rejects(m.send([seqFrame(0, 60), Buffer.alloc(5)]), { code: 'EMSGSIZE' });
  await turn();
  t.same(drain(s)[0], [], 'nothing of the bad call was queued');
});

t.test('createWriteStream(): backpressure, then everything in order', async (t) => {
  const [m, s] = pair(t);
  const w = m.createWriteStream({ highWaterMark: 16 });
  const n = 400;
  let i = 0;
  while (i < n && w.write(seqFrame(i++, 60)));
  t.ok(i < n, `write() said stop after ${i} frames while nobody read`);
  const got: number[] = [];
  const reader = setInterval(() => s.dispatch(0, (d) => { got.push(seqOf(d)); }), 1);
  while (i < n) {
    if (!w.write(seqFrame(i++, 60))) await once(w, 'drain');
  }
  w.end();
  await once(w, 'finish');
  await sleep(20);
  clearInterval(reader);
  got.push(...drain(s)[0]);
  t.same(got, Array.from({ length: n }, (_, k) => k), 'all, in order');
  t.equal(m.closed, false, 'ending the stream leaves the session open');
});

t.test('a deferred kick that fails: \'error\' with sent and frame, or the next call', async (t) => {
  for (const listen of [true, false]) {
    const name = pipeName();
    const m = openLive(`pipe:${name}{0`);
    const s = openLive(`pipe:${name}}0`);
    t.teardown(() => { s.close(); m.close(); });
    m.injectBatch([seqFrame(0, 60), seqFrame(1, 60), seqFrame(2, 60)]); // sent now
    const heard: TxErr[] = [];
    if (listen) m.on('error', (e) => heard.push(e as TxErr));
    s.close();
    m.inject(seqFrame(3, 60)); // queued: the kick at the end of the turn fails
    await turn();
    await turn();
    const next = thrown(() => m.stats());
    if (listen) {
      t.equal(heard.length, 1, 'the listener hears it');
      t.match(heard[0], { code: 'EPIPE', sent: 3, frame: 3 });
      t.equal(next, undefined, 'and the next call does not throw it again');
    } else {
      t.match(next, { code: 'EPIPE', sent: 3, frame: 3 }, 'no listener: the next call throws it, with sent and frame');
    }
  }
});

t.test('close() flushes what inject() queued', async (t) => {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`);
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => s.close());
  for (let i = 0; i < 100; i++) m.inject(seqFrame(i, 60 + i));
  m.close();
  const [seqs, exact] = drain(s);
  t.same(seqs, Array.from({ length: 100 }, (_, i) => i));
  t.ok(exact);
});

t.test('txRing() and flush() push queued frames first; inject() writes at the ring\'s head', async (t) => {
  const [m, s] = pair(t);
  m.inject(seqFrame(0, 60));
  m.inject(seqFrame(1, 60));
  const tx = m.txRing(); // flushes, so ring frames follow the queued ones
  const h = tx.head;
  tx.bytes.set(seqFrame(2, 60), tx.slotOffset(h));
  tx.setSlotLen(h, 60);
  tx.advance(tx.next(h));
  tx.sync();
  m.inject(seqFrame(3, 60));
  m.flush();
  t.same(drain(s)[0], [0, 1, 2, 3], 'ring and inject() frames, in order');
});

t.test('process.exit() right after inject() still sends', async (t) => {
  const name = pipeName();
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => s.close());
  const r = await runChild(join(__dirname, 'fixtures', 'tx-exit-child.ts'), [`pipe:${name}{0`, '300'], { timeoutMs: 60_000 });
  t.equal(r.code, 0, r.stderr);
  const [seqs, exact] = drain(s);
  t.same(seqs, Array.from({ length: 300 }, (_, i) => i), 'all 300, in order');
  t.ok(exact, 'byte-exact');
});

t.test('inject on one session, then wait on another without turning the event loop', async (t) => {
  // pcap_inject() programs do this: the frame must not wait for a turn.
  const [m, s] = pair(t);
  m.inject(seqFrame(1, 60));
  t.ok(s.waitReadable(1000), 'waitReadable on the receiver kicked the sender');
  t.same(drain(s), [[1], true]);
  m.inject(seqFrame(2, 60));
  const rx = s.rxRing();
  rx.sync();
  t.equal(rx.tail - rx.head, 1, "a ring walker's sync kicked the sender");
  rx.advance(rx.tail);
  // A third session's sync call pushes the frame too.
  const [m2, s2] = pair(t);
  m2.inject(seqFrame(3, 60));
  s.stats();
  t.same(drain(s2), [[3], true], "stats() on an unrelated session kicked it");
});

t.test('drain(): resolves once every queued frame has left, ETIMEDOUT with sent if not in time', async (t) => {
  const [m, s] = pair(t);
  for (let i = 0; i < 50; i++) m.inject(seqFrame(i, 60));
  await t.rejects(m.drain({ timeoutMs: 50 }), { code: 'ETIMEDOUT', sent: 50 }, 'nobody reads: the frames stay in the ring');
  const reader = setInterval(() => drain(s), 5);
  await m.drain({ timeoutMs: 5000 });
  clearInterval(reader);
  t.pass('drain() resolved once the receiver had read them all');
  await m.drain(); // nothing queued: at once
  m.close();
  await t.rejects(m.drain(), { code: 'ECLOSED' });
});
