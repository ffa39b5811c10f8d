// pipe: ports — shared-memory pipes between processes and threads. No root
// needed. Big transfers and crash checks run in child processes
// (test/fixtures/pipe-peer.ts, pipe-workers.ts, pipe-malicious.ts).
import t, { Test } from 'tap';
import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { openLive, LiveSession, PcapError, ringLayout } from '../index';
import { repoRoot, runChild, tsNodeArgs } from './helpers/child';
import { seqFrame, seqOf, udpFrame } from './fixtures/frames';
import { writeFrame } from './fixtures/pipe-lib';
import { codeOf, errorOf } from './helpers/errors';

const PEER = join(__dirname, 'fixtures', 'pipe-peer.ts');
const WORKERS = join(__dirname, 'fixtures', 'pipe-workers.ts');
const MALICIOUS = join(__dirname, 'fixtures', 'pipe-malicious.ts');
const { SLOT0, SLOT_WORDS, OFFSET, CAPLEN } = ringLayout;
// Volume: npm test streams 250,000 frames per case (2.5 million ring to
// ring); `npm run test:volume` (NMP_TEST_VOLUME=4) streams the issues'
// 1 and 10 million. Long runs belong in their own script (npm test < 20 min).
const VOLUME = Math.max(1, Number(process.env.NMP_TEST_VOLUME ?? 1));
const N = 250_000 * VOLUME;
/** The byte sum of frames 0..n-1 as the fixtures build them. */
const expectedSum = (n: number, size = 60) => {
  const b = new Uint8Array(size);
  let s = 0;
  for (let i = 0; i < n; i++) s += writeFrame(b, 0, i, size);
  return s;
};
const SUM_N = expectedSum(N);

let unique = 0;
/** A pipe name no other test (or concurrent run) uses. */
const pipeName = () => `t${process.pid}-${unique++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** Open both ends in this thread. */
function pair(t: Test, opts: object = {}): [LiveSession, LiveSession] {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`, opts);
  const s = openLive(`pipe:${name}}0`, { timeout: 10, ...opts });
  t.teardown(() => { s.close(); m.close(); });
  return [m, s];
}

/** A fixture as a child we can kill; resolves its 'ready' line. */
function startPeer(t: Test, role: string, params: object):
  { child: ChildProcess; ready: Promise<void>; done: Promise<any> } {
  const child = spawn(process.execPath, [...tsNodeArgs(), PEER, role, JSON.stringify(params)], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    env: { TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_PROJECT: join(repoRoot, 'tsconfig.json'), ...process.env },
  });
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (/^ready$/m.test(out)) onReady();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<any>((resolve) => child.on('close', (code, signal) => {
    const last = out.trim().split('\n').pop() ?? '';
    let json: any;
    try { json = JSON.parse(last); } catch { json = undefined; }
    resolve({ code, signal, json, stderr: err });
  }));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.on('close', () => clearTimeout(timer));
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  return { child, ready, done };
}

t.test('port names: the grammar, and what is refused', async (t) => {
  for (const bad of ['pipe:', 'pipe:x', 'pipe:{0', 'pipe:x{', 'pipe:x{a', 'pipe:x{-1', 'pipe:x y{0',
    'pipe:x/y}0', `pipe:${'n'.repeat(33)}{0`, 'pipe:x{65536', 'pipe:x{0}1', 'pipe:é{0']) {
    const e = errorOf(() => openLive(bad));
    t.equal(e?.code, 'EINVAL', `${bad} is EINVAL`);
    t.match(e?.message, /pipe:NAME\{N .*pipe:NAME\}N/, `${bad}: the message gives the grammar`);
  }
  const ok = `pipe:A.b-c_${'9'.repeat(20)}{65535`;
  const s = openLive(ok);
  t.equal(s.backend, 'pipe');
  t.equal(s.datalink(), 1, 'Ethernet');
  s.close();
  t.equal(codeOf(() => openLive(ok).close()), 'none', 'the name is free again after close');
});

t.test('EBUSY: each end opens once', async (t) => {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`);
  t.teardown(() => m.close());
  const again = errorOf(() => openLive(`pipe:${name}{0`));
  t.equal(again?.code, 'EBUSY', 'second master in this process');
  t.match(again?.message, new RegExp(`pipe:${name}\\{0 is already open \\(in process ${process.pid}\\)`));
  const s = openLive(`pipe:${name}}0`);
  t.teardown(() => s.close());
  t.equal(codeOf(() => openLive(`pipe:${name}}0`)), 'EBUSY', 'second slave in this process');
  t.equal(codeOf(() => openLive(`pipe:${name}{0`)), 'EBUSY', 'master again, both ends open');
  const [a, b] = await Promise.all([
    runChild(PEER, ['open', JSON.stringify({ port: `pipe:${name}{0` })]),
    runChild(PEER, ['open', JSON.stringify({ port: `pipe:${name}}0` })]),
  ]);
  t.equal(a.json?.code, 'EBUSY', 'master from another process');
  t.equal(b.json?.code, 'EBUSY', 'slave from another process');
  // A different index is a different pipe.
  t.equal(codeOf(() => openLive(`pipe:${name}{1`).close()), 'none', 'pipe index 1 is free');
});

t.test('in one thread: both directions, buffering before the peer, stats, API parity', async (t) => {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`);
  t.teardown(() => m.close());
  // The master sends before the slave exists: the frames wait in the pipe.
  t.equal(m.injectBatch(Array.from({ length: 10 }, (_, i) => seqFrame(i, 60))), 10);
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => s.close());
  const seqs: number[] = [];
  t.equal(s.dispatch(0, (d, h) => { seqs.push(seqOf(d)); t.equal(h.len, 60); }), 10);
  t.same(seqs, [...Array(10).keys()], 'frames sent before the slave opened arrive, in order');
  s.inject(seqFrame(99, 100));
  s.flush(); // inject() queues; the other end reads in this same turn
  let back = -1;
  m.dispatch(0, (d) => { back = seqOf(d); });
  t.equal(back, 99, 'slave to master');
  t.same(s.stats(), { recv: 10, drop: 0, ifdrop: 0 }, 'stats');

  // The fast API and the convenient API see the same bytes.
  const frames = Array.from({ length: 300 }, (_, i) => seqFrame(1000 + i, 60 + (i % 200)));
  m.injectBatch(frames);
  const rx = s.rxRing();
  rx.sync();
  let i = 0;
  let same = true;
  let h = rx.head;
  for (; h !== rx.tail && i < 150; h = rx.next(h), i++) {
    const slot = SLOT0 + h * SLOT_WORDS;
    const off = rx.words[slot + OFFSET];
    if (!Buffer.from(rx.bytes.subarray(off, off + rx.words[slot + CAPLEN])).equals(frames[i])) same = false;
  }
  rx.advance(h);
  s.dispatch(0, (d) => { if (!d.equals(frames[i++])) same = false; });
  t.equal(i, 300, 'all 300 frames, half by ring, half by dispatch');
  t.ok(same, 'byte-exact on both paths');

  // Frame sizes: the slot buffer is bufferSize / ringSlots (default 2048).
  t.equal(s.txRing().bufSize, 2048);
  t.equal(codeOf(() => m.inject(Buffer.alloc(2048))), 'none');
  t.equal(codeOf(() => m.inject(Buffer.alloc(2049))), 'EMSGSIZE');
  t.equal(codeOf(() => m.inject(Buffer.alloc(13))), 'EMSGSIZE');
  s.dispatch(0, () => {});
});

t.test('geometry comes from the end that creates the pipe', async (t) => {
  const [m, s] = pair(t, { ringSlots: 64, bufferSize: 64 * 8192 });
  t.equal(m.txRing().numSlots, 64);
  t.equal(m.txRing().bufSize, 8192);
  t.equal(s.rxRing().numSlots, 64);
  const name = pipeName();
  const a = openLive(`pipe:${name}}3`, { ringSlots: 128 });
  const b = openLive(`pipe:${name}{3`, { ringSlots: 4096 });
  t.teardown(() => { a.close(); b.close(); });
  t.equal(b.txRing().numSlots, 128, 'the joiner takes the creator\'s ringSlots');
  t.equal(codeOf(() => openLive(`pipe:${pipeName()}{0`, { ringSlots: 1 << 20, bufferSize: 2 ** 31 })), 'ENOMEM',
    'a pipe over 2 GiB per direction is refused');
});

t.test('filters, direction and snaplen apply on the receiving end', async (t) => {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`);
  const s = openLive(`pipe:${name}}0`, { filter: 'udp port 9', snaplen: 30 });
  t.teardown(() => { s.close(); m.close(); });
  m.injectBatch([seqFrame(1, 60), udpFrame(9), udpFrame(10), udpFrame(9, 100)]);
  const got: [number, number][] = [];
  s.dispatch(0, (d, h) => { got.push([h.caplen, h.len]); });
  t.same(got, [[30, 60], [30, 142]], 'only UDP port 9, cut to the snaplen');
  s.setFilter(null);
  s.setDirection('out');
  m.injectBatch([seqFrame(2, 60), seqFrame(3, 60)]);
  t.equal(s.dispatch(0, () => {}), 0, "direction 'out': nothing (every pipe packet comes in)");
  s.setDirection('in');
  m.inject(seqFrame(4, 60));
  m.flush();
  let seq = -1;
  t.equal(s.dispatch(0, (d) => { seq = seqOf(d); }), 1);
  t.equal(seq, 4, 'the filtered-out frames were handed back to the sender, the next one arrives');
  t.equal(s.stats().recv, 3, 'recv counts what passed');
  t.equal(codeOf(() => s.setFilter('nonsense (')), 'EFILTER');
});

t.test('waiting: loop, next and events wake for packets; close wakes', async (t) => {
  const [m, s] = pair(t);
  const seen: number[] = [];
  const looping = s.loop(3, (d) => { seen.push(seqOf(d)); });
  setTimeout(() => m.inject(seqFrame(1, 60)), 20);
  setTimeout(() => m.injectBatch([seqFrame(2, 60), seqFrame(3, 60)]), 60);
  t.equal(await looping, 3);
  t.same(seen, [1, 2, 3]);
  setImmediate(() => m.inject(seqFrame(7, 60)));
  t.equal(seqOf((await s.next())!.data), 7, 'next()');
  t.equal(await s.next(), null, 'next() gives null after the timeout (10 ms)');
  const events: number[] = [];
  const got = new Promise<void>((resolve) => s.on('packet', (d) => {
    events.push(seqOf(d));
    if (events.length === 1000) resolve();
  }));
  for (let i = 0; i < 10; i++) {
    setTimeout(() => m.injectBatch(Array.from({ length: 100 }, (_, j) => seqFrame(i * 100 + j, 60))), 5 * i);
  }
  await got;
  t.same(events, [...Array(1000).keys()], "'packet' events, in order, none lost");
  s.removeAllListeners('packet');
});

t.test('waitReadable busy-poll: spins on the ring, no sleep, until a peer process sends', async (t) => {
  const name = pipeName();
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => s.close());
  t.equal(codeOf(() => s.waitReadable(0, -1)), 'EINVAL', 'a negative spin is refused');
  t.equal(s.waitReadable(0, 1000), false, 'nothing sent: false after 1 ms of spinning');
  const peer = startPeer(t, 'send', { port: `pipe:${name}{0`, n: 1000, mode: 'batch' });
  // A zero poll timeout: only the spin can see the peer's frames, which
  // need the child to start first (hundreds of ms at least). This blocks
  // the event loop; the peer is another process and the pipe's rendezvous
  // runs on a native thread, so nothing here needs it.
  const started = process.hrtime.bigint();
  const seen = s.waitReadable(0, 60_000_000);
  const spunMs = Number(process.hrtime.bigint() - started) / 1e6;
  t.ok(seen, `frames seen by spinning (after ${spunMs.toFixed(0)} ms)`);
  let got = 0;
  await s.loop(1000, () => { got++; });
  t.equal(got, 1000, 'every frame then read');
  s.waitReadable(0); // hands the last batch back: the sender waits for that
  const done = await peer.done;
  t.equal(done.code, 0, `the sender finished ${JSON.stringify(done.json ?? done.stderr)}`);
});

t.test('the other end closing: EPIPE after everything it sent', async (t) => {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`);
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => { s.close(); m.close(); });
  m.injectBatch([seqFrame(1, 60), seqFrame(2, 60)]);
  m.close();
  const seqs: number[] = [];
  const e = await s.loop(0, (d) => { seqs.push(seqOf(d)); }).then(() => undefined, (err) => err);
  t.same(seqs, [1, 2], 'what was sent before the close is delivered');
  t.equal(e?.code, 'EPIPE', 'then loop() rejects with EPIPE');
  t.match(e?.message, /closed the pipe/);
  // inject() only queues; the kick (here: the next call) finds the peer gone.
  t.equal(codeOf(() => s.inject(seqFrame(3, 60))), 'none', 'sending to a closed end: queued');
  t.equal(codeOf(() => s.stats()), 'EPIPE', 'the next call throws what the kick found: EPIPE');
  t.equal(codeOf(() => s.injectBatch([seqFrame(3, 60)])), 'EPIPE', 'injectBatch kicks at once: EPIPE');
  t.equal(codeOf(() => s.dispatch(0, () => {})), 'EPIPE', 'and it stays EPIPE');
  t.equal(codeOf(() => m.inject(seqFrame(3, 60))), 'ECLOSED', 'the closed end itself: ECLOSED');
});

t.test('frames between two processes', async (t) => {
  const combos: [string, string, boolean, number][] = [
    ['ring', 'ring', false, 10 * N], // the fast API both ways (10 million at volume 4)
    ['batch', 'ring', false, N], // injectBatch -> the fast RX path; receiver opens first
    ['ring', 'loop', true, N], // the fast TX path -> loop(); sender opens first
    ['batch', 'event', false, N],
  ];
  for (const [send, recv, senderFirst, n] of combos) {
    const sumN = n === N ? SUM_N : expectedSum(n);
    t.test(`${n} frames, ${send} -> ${recv}${senderFirst ? ' (sender opens first)' : ''}`, async (t) => {
      const name = pipeName();
      const run = (role: string, port: string, mode: string) =>
        runChild(PEER, [role, JSON.stringify({ port, n, mode })], { timeoutMs: 120_000 });
      const first = senderFirst ? run('send', `pipe:${name}{0`, send) : run('recv', `pipe:${name}}0`, recv);
      await sleep(200);
      const second = senderFirst ? run('recv', `pipe:${name}}0`, recv) : run('send', `pipe:${name}{0`, send);
      const [a, b] = await Promise.all([first, second]);
      const [s, r] = senderFirst ? [a, b] : [b, a];
      if (!s.json || !r.json || s.json.error || r.json.error) {
        t.fail('a peer failed', { sender: s.json ?? s.stderr, receiver: r.json ?? r.stderr });
        return;
      }
      t.equal(r.json.received, n, 'all received');
      t.equal(r.json.outOfOrder, 0, 'in sequence');
      t.equal(r.json.badLength, 0, 'lengths intact');
      t.equal(s.json.sum, sumN, 'sender sum');
      t.equal(r.json.sum, sumN, 'receiver checksum matches');
      t.same(r.json.stats, { recv: n, drop: 0 }, 'stats');
      t.comment(`send ${s.json.mpps.toFixed(2)} Mpps, receive ${r.json.mpps.toFixed(2)} Mpps (test workload)`);
    });
  }
});

t.test(`${N} frames between two worker_threads`, async (t) => {
  for (const [send, recv] of [['ring', 'ring'], ['batch', 'loop']]) {
    t.test(`${send} -> ${recv}`, async (t) => {
      const r = await runChild(WORKERS, [JSON.stringify({ name: pipeName(), n: N, send, recv })], { timeoutMs: 60_000 });
      if (!r.json || r.json.error) {
        t.fail('workers failed', { json: r.json, stderr: r.stderr });
        return;
      }
      t.equal(r.json.recv.received, N);
      t.equal(r.json.recv.outOfOrder, 0);
      t.equal(r.json.recv.sum, SUM_N);
      t.equal(r.json.send.sum, SUM_N);
    });
  }
});

t.test('SIGKILL of the sender mid-stream: the receiver gets EPIPE, no hang', async (t) => {
  const name = pipeName();
  const s = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => s.close());
  const peer = startPeer(t, 'stream', { port: `pipe:${name}{0` });
  let n = 0;
  let killedAt = 0;
  let expect = 0;
  let outOfOrder = 0;
  const e = await s.loop(0, (d) => {
    if (seqOf(d) !== expect) outOfOrder++;
    expect = seqOf(d) + 1;
    if (++n === 200_000) { peer.child.kill('SIGKILL'); killedAt = Date.now(); }
  }).then(() => undefined, (err) => err);
  const after = Date.now() - killedAt;
  t.ok(killedAt > 0, 'the stream ran before the kill');
  t.equal(e?.code, 'EPIPE', 'loop() rejects with EPIPE');
  t.match(e?.message, /exited or was killed/);
  t.ok(after < 2000, `within one timeout (${after} ms)`);
  t.equal(outOfOrder, 0, 'in sequence up to the end');
  t.equal((await peer.done).signal, 'SIGKILL');
  // The survivor can close and both ends can be opened again.
  s.close();
  const again = pair(t);
  again[0].inject(seqFrame(5, 60));
  again[0].flush();
  t.equal(again[1].dispatch(0, () => {}), 1, 'a fresh pipe works');
});

t.test('SIGKILL of the receiver: the sender gets EPIPE, no hang', async (t) => {
  const name = pipeName();
  const m = openLive(`pipe:${name}{0`);
  t.teardown(() => m.close());
  const peer = startPeer(t, 'drain', { port: `pipe:${name}}0` });
  await peer.ready;
  const frames = Array.from({ length: 256 }, (_, i) => seqFrame(i, 60));
  let sent = 0;
  let killedAt = 0;
  let error: PcapError | undefined;
  while (!error) {
    try {
      sent += m.injectBatch(frames);
    } catch (e) {
      // EAGAIN: the receiver was slow for txWaitMs (a loaded machine).
      if ((e as PcapError).code === 'EAGAIN') sent += (e as PcapError & { sent: number }).sent;
      else error = e as PcapError;
    }
    if (!killedAt && sent >= 200_000) { peer.child.kill('SIGKILL'); killedAt = Date.now(); }
    if (killedAt && Date.now() - killedAt > 10_000) break; // would be a hang
    await new Promise((r) => setImmediate(r));
  }
  const after = Date.now() - killedAt;
  t.equal(error?.code, 'EPIPE', 'injectBatch throws EPIPE');
  t.ok(after < 3000, `within one timeout (${after} ms)`);
  t.equal(codeOf(() => m.txRing().sync()), 'EPIPE', 'the ring says so too');
});

t.test('malicious ring writes: EBADSLOT, the ring reset, nothing crashes', async (t) => {
  const r = await runChild(MALICIOUS, [], { timeoutMs: 60_000 });
  t.equal(r.signal, null, 'no crash');
  t.equal(r.code, 0, r.stderr);
  const j = r.json ?? {};
  for (const [name, code] of Object.entries(j.cases ?? {})) t.equal(code, 'EBADSLOT', name);
  t.equal(Object.keys(j.cases ?? {}).length, 9);
  t.equal(j.backAfterReset, true, 'the RX ring is back at its last valid state');
  t.equal(j.validMove, 'none', 'a valid move still works');
  t.same(j.rxOffsetsRewritten, [500, 501], 'RX offsets JS scribbled are rewritten by C');
  t.equal(j.scribbledOffsetSend, 'none', 'a scribbled TX offset is not used ...');
  t.equal(j.offsetRestored, true, '... C puts it back');
  t.equal(j.seen, 777, '... and the frame goes out of the slot\'s own buffer');
  t.equal(j.injectAfter, 'none');
  t.same(j.fuzzCodes, ['EBADSLOT', 'none'], 'random indices: only EBADSLOT');
  t.equal(j.insane, 0, 'never an insane ring');
  t.same(j.scribbleCodes, ['none'], 'scribbled packet memory only garbles bytes');
  t.equal(j.lastSeq, 4242, 'the pipe still works master to slave');
  t.equal(j.backSeq, 4343, 'and slave to master');
});
