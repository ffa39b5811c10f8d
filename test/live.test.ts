// Live capture and injection on a veth pair inside a namespace the test
// creates (both ends inside it). Each scenario runs in a child process in
// that namespace (test/fixtures/veth.ts) and reports what it saw.
import t from 'tap';
import { join } from 'node:path';
import { Netns, requireRoot } from './helpers/netns';
import { scenarioRunner } from './helpers/child';

const FIXTURE = join(__dirname, 'fixtures', 'veth.ts');

const scenario = scenarioRunner(FIXTURE);

t.test('live capture and injection on veth', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);

  for (const n of [1, 1000, 100000]) {
    for (const size of [60, 1514]) {
      t.test(`${n} frames of ${size} bytes arrive, in order, byte-exact`, async (t) => {
        const r = await scenario(t, ns, 'roundtrip', { n, size });
        t.equal(r.captured, n, 'all captured');
        t.equal(r.inOrder, true, 'in order');
        t.equal(r.byteExact, true, 'byte-exact');
        t.equal(r.timestamps, true, 'timestamps inside the run and non-decreasing');
        if (n >= 1000) t.equal(r.subMicrosecond, true, 'nanosecond resolution');
        t.equal(r.stats?.drop, 0, 'no drops');
      });
    }
  }

  t.test('inject() one frame per call', async (t) => {
    const r = await scenario(t, ns, 'roundtrip', { n: 1000, size: 1514, single: true });
    t.equal(r.captured, 1000);
    t.equal(r.byteExact, true);
  });

  t.test('injectBatch of 10000 frames in one call', async (t) => {
    const r = await scenario(t, ns, 'roundtrip', { n: 10000, size: 60, chunk: 10000 });
    t.equal(r.captured, 10000);
    t.equal(r.inOrder, true);
    t.equal(r.byteExact, true);
  });

  t.test('filter "arp" keeps only ARP', async (t) => {
    const r = await scenario(t, ns, 'filter', { expr: 'arp' });
    t.same(r, { captured: 10, kinds: ['arp'] });
  });

  t.test('filter "udp port 9" keeps only UDP to port 9', async (t) => {
    const r = await scenario(t, ns, 'filter', { expr: 'udp port 9' });
    t.same(r, { captured: 10, kinds: ['udp9'] });
  });

  t.test('an invalid filter is EFILTER, at open and at setFilter', async (t) => {
    const r = await scenario(t, ns, 'badFilter');
    t.same(r, { onSet: 'EFILTER', onOpen: 'EFILTER' });
  });

  t.test('direction: the sender sees its frames as out, not in', async (t) => {
    const r = await scenario(t, ns, 'direction');
    t.same(r, { in: 0, out: 20, inout: 20, setIn: 0, header: '1:out 2:in', iterated: '3:out' });
  });

  t.test('stats count what was captured', async (t) => {
    const r = await scenario(t, ns, 'stats', { n: 5000 });
    t.equal(r.captured, 5000);
    t.equal(r.recv, 5000, 'recv');
    t.equal(r.drop, 0, 'drop');
    t.equal(r.ifdrop, 0, 'ifdrop');
  });

  t.test('snaplen truncates: caplen < len', async (t) => {
    const r = await scenario(t, ns, 'snaplen');
    t.same(r, { captured: 10, caplens: [100], lens: [1514], exact: true });
  });

  t.test('the timeout delivers a partial batch', async (t) => {
    const r = await scenario(t, ns, 'partialBatch', { timeout: 50 });
    t.same(r.seqs, [0, 1, 2, 3, 4], 'five frames, far from a full block, arrive');
    t.equal(r.afterwards, null, 'next() gives null once nothing more comes');
  });

  t.test('breakLoop stops the loop; the rest stays for later', async (t) => {
    const r = await scenario(t, ns, 'breakLoop');
    t.same(r, { looped: 10, after: 40, restInOrder: true });
  });

  t.test('async iterator: break releases the ring, iteration resumes', async (t) => {
    const r = await scenario(t, ns, 'iteratorBreak');
    t.same(r.first, [0, 1, 2, 3, 4]);
    t.equal(r.restCount, 25);
    t.equal(r.restInOrder, true);
  });

  t.test('close() inside dispatch and inside a packet event', async (t) => {
    const r = await scenario(t, ns, 'closeDuringDispatch');
    t.equal(r.handled, 3, 'dispatch stops at the close');
    t.same(r.keptLengths, [0, 0, 0], 'views kept past close are empty, not dangling');
    t.equal(r.events, 1, 'no event after close');
  });

  t.test('use after close is ECLOSED everywhere', async (t) => {
    const r = await scenario(t, ns, 'useAfterClose');
    for (const [what, code] of Object.entries(r.codes ?? {})) t.equal(code, 'ECLOSED', what);
    t.equal(r.nextCode, 'ECLOSED', 'next()');
    t.equal(r.fd, -1);
    t.equal(r.bytesAfterClose, 0, 'ring memory detached');
  });

  t.test('capture on lo: each packet once', async (t) => {
    const r = await scenario(t, ns, 'loopback');
    t.same(r, { captured: 25, inOrder: true, linktype: 1 });
  });

  t.test('the any device: cooked headers, shim filter, no injection', async (t) => {
    const r = await scenario(t, ns, 'anyDevice');
    t.equal(r.linktype, 113, 'DLT_LINUX_SLL');
    t.equal(r.captured, 20, 'each frame out of va and into vb');
    t.same(r.protocols, [0x88b5], 'the filter ran on cooked packets');
    t.equal(r.sendOnAny, 'ENOTSUP');
  });

  t.test('802.1Q frames keep their tag; vlan filters judge the wire bytes', async (t) => {
    // veth takes tags out (VLAN offload); the shim puts them back.
    const rows: [string | undefined, number][] = [
      [undefined, 10], ['vlan', 10], ['vlan 3', 1], ['vlan and ether proto 0x88b5', 10],
      ['ether proto 0x88b5', 0], ['arp', 0],
    ];
    for (const [filter, want] of rows) {
      const r = await scenario(t, ns, 'vlan', { filter });
      t.equal(r.captured, want, `filter ${filter ?? '(none)'}`);
      t.equal(r.exact, true, 'byte-exact with the tag in place');
    }
  });

  t.test('immediate delivers before the block timeout', async (t) => {
    t.same(await scenario(t, ns, 'immediate', { immediate: true }), { first: 7 });
    t.same(await scenario(t, ns, 'immediate', { immediate: false }), { first: 'late' },
      'without it the 5 s block timeout holds the packet');
  });

  t.test('AbortSignal ends loop(), iteration and the session', async (t) => {
    const r = await scenario(t, ns, 'signals');
    t.same(r, { looped: 0, iterated: 0, sessionClosed: true, closeEvent: true, rxStillOpen: true });
  });

  t.test('waitReadable blocks until packets, then dispatch reads them', async (t) => {
    const r = await scenario(t, ns, 'waitReadable');
    t.equal(r.idle, false, 'nothing yet: false after the timeout');
    t.equal(r.ready, true, 'readable once frames arrive');
    t.same(r.seqs, [0, 1, 2, 3, 4]);
    t.equal(r.idleAgain, false, 'drained: not readable');
    t.equal(r.asyncReady, true, 'waitForPackets resolves true when frames arrive');
    t.same(r.later, [5, 6, 7]);
  });

  t.test('the link going down ends a running loop with ENETDOWN', async (t) => {
    const r = await scenario(t, ns, 'linkDown');
    t.equal(r.outcome, 'ENETDOWN', 'loop() rejects, it does not hang');
    t.same(r.errors, ['ENETDOWN'], "'error' listeners hear it once");
    t.equal(r.reopen, 'none', 'the port opens again once the link is back');
  });

  t.test('a fanout group splits the traffic without duplicates', async (t) => {
    const r = await scenario(t, ns, 'fanout');
    t.equal(r.distinct, 200);
    t.equal(r.a + r.b, 200);
    t.ok(r.a > 0 && r.b > 0, 'both members got packets');
  });
});
