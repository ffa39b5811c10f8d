// The convenient receive path (docs/shapes.md §3, §4): 'packet' listeners
// called from the batch walk, dispatch, loop and the iterator, on pipe:
// ports (no root, deterministic: a batch is exactly what was sent).
import t, { Test } from 'tap';
import { on } from 'node:events';
import { inspect } from 'node:util';
import { openLive, LiveSession, PacketHeader, PcapError, ringLayout } from '../index';
import { join } from 'node:path';
import { seqFrame, seqOf } from './fixtures/frames';
import { runChild, scenarioRunner } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

const FIXTURE = join(__dirname, 'fixtures', 'receive.ts');
const scenario = scenarioRunner(FIXTURE);

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, LEN } = ringLayout;

let unique = 0;
/** Both ends of a fresh pipe, closed at teardown: [sender, receiver]. */
function pair(t: Test): [LiveSession, LiveSession] {
  const name = `rp${process.pid}-${unique++}`;
  const tx = openLive(`pipe:${name}{0`);
  const rx = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => { rx.close(); tx.close(); });
  return [tx, rx];
}

/** Sizes that vary, so a view of the wrong slot or length shows. */
const sizeOf = (seq: number): number => 60 + ((seq * 37) % 200);

/**
 * Frames seq from..from+n-1 into the TX ring and one sync: the receiver
 * sees them as one batch. (Written in place, so this test does not depend
 * on inject()'s queueing.)
 */
function send(tx: LiveSession, from: number, n: number): void {
  const ring = tx.txRing();
  const { words, bytes, numSlots } = ring;
  let h = words[HEAD];
  for (let seq = from; seq < from + n; seq++) {
    if ((h + 1) % numSlots === words[TAIL]) throw new Error('test bug: TX ring full');
    const f = seqFrame(seq, sizeOf(seq));
    const s = SLOT0 + h * SLOT_WORDS;
    bytes.set(f, words[s + OFFSET]);
    words[s + LEN] = f.length;
    h = h + 1 === numSlots ? 0 : h + 1;
  }
  words[HEAD] = h;
  words[CUR] = h;
  ring.sync();
}

/** What a callback saw of one packet, checked against what was sent. */
interface Seen { seq: number; exact: boolean; caplen: number; len: number }
function see(data: Buffer, h: PacketHeader): Seen {
  const seq = seqOf(data);
  return { seq, exact: seq >= 0 && data.equals(seqFrame(seq, sizeOf(seq))), caplen: h.caplen, len: h.len };
}
function allExact(t: Test, seen: Seen[], from: number, n: number, what: string): void {
  t.same(seen.map((s) => s.seq), Array.from({ length: n }, (_, i) => from + i), `${what}: every packet, in order`);
  t.ok(seen.every((s) => s.exact && s.caplen === sizeOf(s.seq) && s.len === sizeOf(s.seq)), `${what}: byte-exact, caplen = len`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves once cond() holds (checked every ms), or rejects after 5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 5000; !cond();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

t.test('every API delivers every packet in order, byte-exact, with the header', async (t) => {
  t.test("'packet' listener", async (t) => {
    const [tx, rx] = pair(t);
    const seen: Seen[] = [];
    rx.on('packet', (data, h) => seen.push(see(data, h)));
    send(tx, 0, 1000);
    send(tx, 1000, 1000);
    await until(() => seen.length >= 2000, '2000 packets');
    allExact(t, seen, 0, 2000, "'packet'");
  });
  t.test('dispatch', async (t) => {
    const [tx, rx] = pair(t);
    const seen: Seen[] = [];
    send(tx, 0, 500);
    await sleep(20);
    t.equal(rx.dispatch(100, (d, h) => seen.push(see(d, h))), 100, 'up to cnt');
    t.equal(rx.dispatch(0, (d, h) => seen.push(see(d, h))), 400, 'the rest');
    t.equal(rx.dispatch(0, () => t.fail('nothing is left')), 0);
    allExact(t, seen, 0, 500, 'dispatch');
  });
  t.test('loop', async (t) => {
    const [tx, rx] = pair(t);
    const seen: Seen[] = [];
    const done = rx.loop(1500, (d, h) => seen.push(see(d, h)));
    send(tx, 0, 1000);
    await sleep(5);
    send(tx, 1000, 1000);
    t.equal(await done, 1500);
    allExact(t, seen, 0, 1500, 'loop');
  });
  t.test('iterator, leased and copied', async (t) => {
    const [tx, rx] = pair(t);
    send(tx, 0, 300);
    const seen: Seen[] = [];
    for await (const p of rx.packets()) {
      t.equal(p.owned, false);
      seen.push(see(p.data, p));
      if (seen.length === 200) break;
    }
    const kept = [];
    for await (const p of rx.packets({ copy: true })) {
      kept.push(p);
      if (kept.length === 100) break;
    }
    send(tx, 300, 3000); // reuses the ring memory the copies came from
    await sleep(5);
    t.equal(rx.dispatch(0, () => {}), 3000);
    for (const p of kept) seen.push(see(p.data, p));
    t.ok(kept.every((p) => p.owned && p.linktype === 1), 'owned, with the link type');
    allExact(t, seen, 0, 300, 'iterator');
  });
  t.test('next()', async (t) => {
    const [tx, rx] = pair(t);
    send(tx, 0, 3);
    const seen: Seen[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await rx.next();
      seen.push(see(p!.data, p!));
    }
    allExact(t, seen, 0, 3, 'next');
  });
});

t.test('data is a Buffer viewing ring memory; copy: true owns its bytes and header', async (t) => {
  const [tx, rx] = pair(t);
  send(tx, 0, 4);
  await sleep(20);
  const leased: Buffer[] = [];
  const headers: PacketHeader[] = [];
  rx.dispatch(2, (data, h) => {
    t.ok(Buffer.isBuffer(data), 'Buffer.isBuffer');
    t.ok(data instanceof Buffer && data instanceof Uint8Array);
    t.equal(data.readUInt32BE(14), seqOf(data), 'Buffer methods work');
    t.equal(data.toString('hex', 12, 14), '88b5');
    t.match(inspect(data), /^<Buffer 02 00 00 00 00 02 /, 'prints as a Buffer');
    t.ok(Buffer.isBuffer(data.subarray(1)) && Buffer.isBuffer(data.slice(1)), 'its slices are Buffers');
    t.equal(Buffer.concat([data, data]).length, 2 * data.length);
    t.equal(data.buffer, rx.rxRing().buffer, 'a view of the ring, not a copy');
    leased.push(data);
    headers.push(h);
  });
  t.equal(headers[0], headers[1], 'the leased header is one object, reused');
  const owned: Buffer[] = [];
  const ownHeaders: PacketHeader[] = [];
  rx.dispatch(2, (data, h) => { owned.push(data); ownHeaders.push(h); }, { copy: true });
  t.not(owned[0].buffer, rx.rxRing().buffer, 'copy: true is not a view of the ring');
  t.not(ownHeaders[0], ownHeaders[1], 'copy: true gives a header per packet');
  t.same(ownHeaders.map((h) => h.caplen), [sizeOf(2), sizeOf(3)]);
  rx.close();
  t.same(leased.map((d) => d.length), [0, 0], 'after close() the leased views are empty');
  t.same(owned.map(seqOf), [2, 3], 'the copies are intact');
  t.ok(owned.every((d, i) => d.equals(seqFrame(2 + i, sizeOf(2 + i)))));
});

t.test('close() inside a callback stops delivery after that packet', async (t) => {
  t.test("'packet'", async (t) => {
    const [tx, rx] = pair(t);
    const seen: number[] = [];
    let closes = 0;
    rx.on('close', () => closes++);
    rx.on('packet', (d) => {
      seen.push(seqOf(d));
      if (seen.length === 5) rx.close();
    });
    const after: number[] = [];
    rx.on('packet', (d) => { if (rx.closed) after.push(d.length); });
    send(tx, 0, 50);
    await until(() => rx.closed, 'close');
    await sleep(20);
    t.same(seen, [0, 1, 2, 3, 4]);
    t.same(after, [0], 'a later listener of that packet is still called, as with emit, with an empty view');
    t.equal(closes, 1);
  });
  t.test('dispatch and loop', async (t) => {
    const [tx, rx] = pair(t);
    send(tx, 0, 50);
    await sleep(20);
    t.equal(rx.dispatch(0, (d) => { if (seqOf(d) === 2) rx.close(); }), 3, 'dispatch returns what it handled');
    const [tx2, rx2] = pair(t);
    send(tx2, 0, 50);
    t.equal(await rx2.loop(0, (d) => { if (seqOf(d) === 7) rx2.close(); }), 8, 'loop resolves with what it handled');
  });
  t.test('iterator', async (t) => {
    const [tx, rx] = pair(t);
    send(tx, 0, 50);
    let n = 0;
    for await (const p of rx) {
      n++;
      if (seqOf(p.data) === 9) rx.close();
    }
    t.equal(n, 10, 'ends after the packet that closed');
    await t.rejects(rx.packets().next(), { code: 'ECLOSED' }, 'a new iterator on a closed session rejects');
  });
});

t.test("listeners added or removed inside a listener take effect at the next packet", async (t) => {
  const [tx, rx] = pair(t);
  const calls: string[] = [];
  const b = (d: Buffer) => calls.push(`b${seqOf(d)}`);
  const c = (d: Buffer) => calls.push(`c${seqOf(d)}`);
  const a = (d: Buffer) => {
    const seq = seqOf(d);
    calls.push(`a${seq}`);
    if (seq === 1) rx.on('packet', b); // first called for packet 2
    if (seq === 3) rx.off('packet', b); // not called for packet 4 ...
    if (seq === 3) rx.prependListener('packet', c); // ... c is, first
    if (seq === 5) rx.off('packet', c);
  };
  rx.on('packet', a);
  rx.on('packet', (d) => { if (seqOf(d) === 3) rx.off('packet', b); }); // already gone: no-op
  send(tx, 0, 7); // one batch
  await until(() => calls.includes('a6'), 'packet 6');
  t.same(calls, ['a0', 'a1', 'a2', 'b2', 'a3', 'b3', 'c4', 'a4', 'c5', 'a5', 'a6']);
});

t.test('a listener removed by an earlier listener of the same packet is still called for it, as with emit', async (t) => {
  const [tx, rx] = pair(t);
  const calls: string[] = [];
  const second = (d: Buffer) => calls.push(`second${seqOf(d)}`);
  rx.on('packet', (d) => { calls.push(`first${seqOf(d)}`); rx.off('packet', second); });
  rx.on('packet', second);
  send(tx, 0, 2);
  await until(() => calls.length >= 3, 'two packets');
  await sleep(10);
  t.same(calls, ['first0', 'second0', 'first1']);
});

t.test('removing the last listener stops delivery after that packet; the rest wait in the ring', async (t) => {
  const [tx, rx] = pair(t);
  const seen: number[] = [];
  const l = (d: Buffer) => { seen.push(seqOf(d)); if (seen.length === 3) rx.removeListener('packet', l); };
  rx.on('packet', l);
  send(tx, 0, 10);
  await until(() => seen.length === 3, '3 packets');
  await sleep(30);
  t.same(seen, [0, 1, 2]);
  const rest: number[] = [];
  t.equal(rx.dispatch(0, (d) => rest.push(seqOf(d))), 7);
  t.same(rest, [3, 4, 5, 6, 7, 8, 9], 'the others are still in the ring, in order');
  // Adding a listener again starts delivery again.
  const again: number[] = [];
  rx.on('packet', (d) => again.push(seqOf(d)));
  send(tx, 10, 3);
  await until(() => again.length === 3, 'delivery after re-adding');
  t.same(again, [10, 11, 12]);
});

t.test('once, prependListener, prependOnceListener, this', async (t) => {
  const [tx, rx] = pair(t);
  const calls: string[] = [];
  let self: unknown;
  rx.on('packet', function (this: unknown, d: Buffer) { self = this; calls.push(`on${seqOf(d)}`); });
  rx.once('packet', (d) => calls.push(`once${seqOf(d)}`));
  rx.prependListener('packet', (d) => calls.push(`pre${seqOf(d)}`));
  rx.prependOnceListener('packet', (d) => calls.push(`preOnce${seqOf(d)}`));
  send(tx, 0, 3);
  await until(() => calls.includes('on2'), 'three packets');
  t.same(calls, ['preOnce0', 'pre0', 'on0', 'once0', 'pre1', 'on1', 'pre2', 'on2']);
  t.equal(self, rx, 'listeners are called with this = the session, as emit does');
  t.equal(rx.listenerCount('packet'), 2, 'the once listeners removed themselves');
});

t.test('a once listener added inside a listener gets exactly the next packet', async (t) => {
  const [tx, rx] = pair(t);
  const got: number[] = [];
  rx.on('packet', (d) => { if (seqOf(d) === 2) rx.once('packet', (e) => got.push(seqOf(e))); });
  send(tx, 0, 6);
  await sleep(50);
  t.same(got, [3]);
});

t.test('events.on() iterates packets', async (t) => {
  const [tx, rx] = pair(t);
  const ac = new AbortController();
  const seqs: number[] = [];
  send(tx, 0, 20);
  try {
    for await (const [data] of on(rx, 'packet', { signal: ac.signal })) {
      t.ok(Buffer.isBuffer(data));
      seqs.push(seqOf(data as Buffer));
      if (seqs.length === 20) ac.abort();
    }
  } catch (e) {
    t.equal((e as Error).name, 'AbortError');
  }
  t.same(seqs, Array.from({ length: 20 }, (_, i) => i));
  t.equal(rx.listenerCount('packet'), 0, 'its listener is gone after the abort');
});

t.test('removeAllListeners() and then new listeners: delivery still starts and follows changes', async (t) => {
  const [tx, rx] = pair(t);
  rx.on('packet', () => t.fail('removed'));
  rx.removeAllListeners();
  const calls: string[] = [];
  const b = (d: Buffer) => calls.push(`b${seqOf(d)}`);
  rx.on('packet', (d) => { calls.push(`a${seqOf(d)}`); if (seqOf(d) === 0) rx.on('packet', b); });
  send(tx, 0, 2);
  await until(() => calls.length >= 3, 'packets after removeAllListeners()');
  t.same(calls, ['a0', 'a1', 'b1']);
  rx.removeAllListeners('packet');
  const later: number[] = [];
  rx.on('packet', (d) => later.push(seqOf(d)));
  send(tx, 2, 2);
  await until(() => later.length >= 2, 'packets after removeAllListeners("packet")');
  t.same(later, [2, 3]);
});

t.test('a listener that throws stops the batch; the error goes to error; the rest are delivered later', async (t) => {
  const [tx, rx] = pair(t);
  const seen: number[] = [];
  const errors: Error[] = [];
  let seenAtError: number[] = [];
  // The rest wait in the ring for the session's next wake-up, which a
  // level-triggered descriptor may give at once: look at the error's moment.
  rx.on('error', (e) => { errors.push(e); seenAtError = [...seen]; rx.off('packet', boom); });
  const boom = (d: Buffer) => { if (seqOf(d) === 3) throw new Error('boom'); };
  rx.on('packet', boom);
  rx.on('packet', (d) => seen.push(seqOf(d)));
  send(tx, 0, 10);
  await until(() => errors.length === 1, 'the error');
  t.equal(errors[0].message, 'boom');
  t.same(seenAtError, [0, 1, 2], 'listeners after the throwing one are not called for that packet, nor the batch go on');
  send(tx, 10, 1); // a new batch wakes the session
  await until(() => seen.includes(10), 'the next batch');
  t.same(seen, [0, 1, 2, 4, 5, 6, 7, 8, 9, 10], 'packet 3 stays released, 4-9 came next');
});

t.test('without an error listener the throw is uncaught, as an unhandled error event would be', async (t) => {
  const r = await runChild(FIXTURE, ['uncaught'], { timeoutMs: 30_000 });
  t.not(r.code, 0, 'the process dies of it');
  t.match(r.stderr, /thrown by a packet listener/);
  t.notMatch(r.stdout, /survived/);
});

t.test('veth (AF_PACKET, batches across kernel blocks): order, bytes, a listener added and removed mid-stream', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const r = await scenario(t, ns, 'vethListeners', { n: 20000, size: 60, from: 4999, to: 15000 });
  t.equal(r.captured, 20000, 'all captured');
  t.equal(r.inOrder, true, 'in order');
  t.equal(r.exact, true, 'byte-exact Buffers, caplen right');
  t.equal(r.secondExact, true, `the second listener saw exactly 5000..15000 (saw ${r.second})`);
  t.equal(r.drop, 0);
});

t.test('the iterator: calls in order, return(), throw(), abort', async (t) => {
  const [tx, rx] = pair(t);
  send(tx, 0, 5);
  const it = rx.packets({ copy: true });
  const results = await Promise.all([it.next(), it.next(), it.next()]); // not awaited one by one
  t.same(results.map((r) => seqOf(r.value!.data)), [0, 1, 2], 'concurrent next() calls are served in order');
  t.same(await it.return(undefined), { value: undefined, done: true });
  t.same(await it.next(), { value: undefined, done: true }, 'done after return()');
  const rest: number[] = [];
  rx.dispatch(0, (d) => rest.push(seqOf(d)));
  t.same(rest, [3, 4], 'return() left the rest in the ring');

  const it2 = rx.packets();
  const pending = it2.next(); // waits: the ring is dry
  send(tx, 5, 1);
  t.equal(seqOf((await pending).value!.data), 5, 'a waiting next() gets the next packet');
  await t.rejects(it2.throw(new Error('stop')), { message: 'stop' });
  t.same(await it2.next(), { value: undefined, done: true }, 'done after throw()');

  const ac = new AbortController();
  const it3 = rx.packets({ signal: ac.signal });
  const waiting = it3.next();
  ac.abort();
  t.same(await waiting, { value: undefined, done: true }, 'an abort ends a waiting iterator');
});

t.test('the iterator yields to the event loop between batches, not within one', async (t) => {
  const [tx, rx] = pair(t);
  send(tx, 0, 100);
  let turns = 0;
  let spinning = true;
  const spin = () => { turns++; if (spinning) setImmediate(spin); };
  setImmediate(spin);
  const turnsAt: number[] = [];
  for await (const p of rx) {
    turnsAt.push(turns);
    if (seqOf(p.data) === 99) send(tx, 100, 100); // the next batch, there before the walk runs dry
    if (seqOf(p.data) === 199) break;
  }
  spinning = false;
  t.equal(turnsAt.length, 200);
  t.equal(turnsAt[99], 0, 'no turn of the event loop inside the first batch');
  t.ok(turnsAt[100] >= 1, 'one before the next');
});

// The ring API's sync() prepares no wake-up (a spinning walker costs a
// pipe's sender no system call); every way of sleeping prepares its own.
t.test('a ring walker that synced an empty ring still wakes: waitForPackets, waitReadable', async (t) => {
  const [tx, rx] = pair(t);
  const ring = rx.rxRing();
  for (let i = 0; i < 100; i++) ring.sync(); // spin on an empty ring
  setTimeout(() => send(tx, 0, 3), 50);
  const woke = await Promise.race([rx.waitForPackets(),
    new Promise<string>((r) => setTimeout(() => r('timed out'), 5000))]);
  t.equal(woke, true, 'waitForPackets resolved when the frames came');
  ring.sync();
  t.equal(ring.tail - ring.head, 3);
  ring.advance(ring.tail);
  ring.sync();
  // waitReadable blocks this thread: the sender is a process of its own.
  const name = `rpw${process.pid}-${unique++}`;
  const rx2 = openLive(`pipe:${name}}0`, { timeout: 10 });
  t.teardown(() => rx2.close());
  const ring2 = rx2.rxRing();
  for (let i = 0; i < 100; i++) ring2.sync();
  const child = runChild(join(__dirname, 'fixtures', 'pipe-peer.ts'),
    ['send', JSON.stringify({ port: `pipe:${name}{0`, n: 3, mode: 'batch' })], { timeoutMs: 30_000 });
  const t0 = performance.now();
  t.equal(rx2.waitReadable(20_000), true, 'waitReadable returned true');
  t.ok(performance.now() - t0 < 19_000, 'on the frames, not the timeout');
  ring2.sync();
  t.ok(ring2.tail !== ring2.head, 'the frames are there');
  ring2.advance(ring2.tail);
  ring2.sync();
  await child;
});
