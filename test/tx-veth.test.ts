// Transparent TX batching on AF_PACKET (docs/shapes.md §1, §2), on a veth
// pair inside a namespace the test creates. Each scenario runs in a child
// process in that namespace (test/fixtures/tx-veth.ts).
import t from 'tap';
import { join } from 'node:path';
import { Netns, requireRoot } from './helpers/netns';
import { scenarioRunner } from './helpers/child';

const scenario = scenarioRunner(join(__dirname, 'fixtures', 'tx-veth.ts'), { timeoutMs: 120_000 });
const exact = { inOrder: true, exact: true };

t.test('TX batching on veth', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);

  t.test('every sending path delivers byte-exact, in order', async (t) => {
    const n = 3000;
    const r = await scenario(t, ns, 'paths', { n });
    for (const path of ['inject', 'sendPacket', 'injectBatch', 'send', 'writable', 'pcapInject', 'capSend']) {
      t.match(r[path], { count: n, ...exact }, path);
    }
  });

  t.test('a session does not capture its own injected frames; another session on the device does', async (t) => {
    const r = await scenario(t, ns, 'ownFrames');
    t.same(r.self, [], 'the sending session sees none of them (libpcap\'s handle does not either)');
    t.same(r.other, ['0:out', '1:out', '2:out', '3:out', '4:out'], 'another session sees all five, outgoing, in order');
  });

  t.test('inject() queues: nothing leaves during the turn, all of it after', async (t) => {
    const r = await scenario(t, ns, 'queued');
    t.equal(r.duringTurn, 0, 'no frame left while the loop ran');
    t.equal(r.afterTurn, 10, 'the turn\'s kick sent all 10');
  });

  t.test('close() flushes what inject() queued', async (t) => {
    t.match(await scenario(t, ns, 'closeFlushes', { n: 500 }), { count: 500, ...exact });
  });

  t.test('process.exit() flushes what inject() queued', async (t) => {
    t.match(await scenario(t, ns, 'exitFlushes', { n: 500 }), { count: 500, ...exact, childStatus: 0 });
  });

  t.test('a full ring: EAGAIN with sent after txWaitMs, never longer; send() waits without blocking', async (t) => {
    const r = await scenario(t, ns, 'fullRing', { txWaitMs: 20 });
    t.equal(r.inject.code, 'EAGAIN', 'inject() throws EAGAIN once the ring stays full');
    t.equal(r.inject.sent, 0, 'inject: sent 0');
    t.ok(r.inject.queued > 500, `the ring took frames first (${r.inject.queued})`);
    // 20 ms, plus slack for a loaded machine: the old wait was seconds.
    t.ok(r.inject.longestMs < 20 + 300, `no inject blocked much beyond 20 ms (${r.inject.longestMs.toFixed(1)})`);
    t.ok(r.inject.longestMs >= 19, 'the full ring did wait its bound');
    t.match(r.batch, { code: 'EAGAIN', sent: 0 }, 'injectBatch: EAGAIN, sent 0');
    t.ok(r.batch.ms < 20 + 300, `injectBatch: bounded (${r.batch.ms.toFixed(1)} ms)`);
    t.equal(r.send.pendingWhileFull, true, 'send() is pending while the ring is full');
    t.ok(r.send.ticksWhileFull >= 5, `timers ran meanwhile (${r.send.ticksWhileFull} ticks of 5 ms in 200 ms)`);
    t.equal(r.send.sentLater, 2, 'send() resolves once there is room');
  });

  t.test('a failure at a deferred kick: \'error\' with sent and frame, or the next call', async (t) => {
    const r = await scenario(t, ns, 'deferredError');
    const failure = { code: 'ENETDOWN', sent: 2, frame: 2 };
    t.same(r.withListener.heard, [failure], 'the listener hears it once');
    t.equal(r.withListener.next, 'none', 'and the next call does not throw it again');
    t.same(r.withoutListener.heard, []);
    t.same(r.withoutListener.next, failure, 'no listener: the next call throws it');
    t.equal(r.withoutListener.after, 'none', 'once');
  });
});
