// AF_XDP ports (xdp:IF, xdp:IF-Q) on veth pairs inside a namespace the test
// creates. Each scenario runs in a child process in that namespace
// (test/fixtures/xdp.ts) and reports what it saw.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns, requireRoot } from './helpers/netns';
import { runInNetns, scenarioRunner } from './helpers/child';
import { startNmdump } from './helpers/nmdump';
import { nmsend } from './helpers/nmsend';

const FIXTURE = join(__dirname, 'fixtures', 'xdp.ts');

const scenario = scenarioRunner(FIXTURE);

/** `ip link` of dev in ns mentions an XDP program. */
function attached(ns: Netns, dev: string): boolean {
  return /\bprog\/xdp\b|\bxdp(generic)?\b/.test(ns.exec('ip', ['link', 'show', 'dev', dev]));
}

t.test('AF_XDP ports on veth', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);

  for (const [from, to, what] of [['va', 'xdp:vb', 'xdp: receives'], ['xdp:va', 'vb', 'xdp: sends']]) {
    for (const [n, size] of [[1, 60], [20000, 60], [5000, 1514]]) {
      t.test(`${what}: ${n} frames of ${size} bytes, in order, byte-exact`, async (t) => {
        const r = await scenario(t, ns, 'roundtrip', { n, size, from, to });
        t.equal(r.captured, n, 'all captured');
        t.equal(r.inOrder, true, 'in order');
        t.equal(r.byteExact, true, 'byte-exact');
        t.same(r.backends, [from.startsWith('xdp:') ? 'xdp' : 'afpacket', to.startsWith('xdp:') ? 'xdp' : 'afpacket']);
        const xdpStats = from.startsWith('xdp:') ? r.stats?.tx : r.stats?.rx;
        t.equal(xdpStats?.mode, 'copy', 'veth: native XDP in copy mode, said in stats()');
        if (to.startsWith('xdp:')) t.same([r.stats?.rx.recv, r.stats?.rx.drop], [n, 0], 'recv counts them, no drops');
        if (from.startsWith('xdp:')) t.same(r.txFree?.[0], r.txFree?.[1], 'every TX slot is reclaimed after its frame left');
      });
    }
  }

  t.test('xdp: receives 100,000 frames at full speed, default timeout (gathered batches): in order, byte-exact', async (t) => {
    const r = await scenario(t, ns, 'roundtrip', { n: 100000, size: 60, from: 'va', to: 'xdp:vb', timeout: 100 });
    t.same([r.captured, r.inOrder, r.byteExact], [100000, true, true]);
    t.same([r.stats?.rx.recv, r.stats?.rx.drop], [100000, 0], 'no drops');
  });

  t.test('128 frames carry 30,000 packets: the fill ring is refilled every batch, never starved', async (t) => {
    const r = await scenario(t, ns, 'smallRing', { n: 30000, chunk: 32 });
    t.same([r.captured, r.inOrder, r.byteExact], [30000, true, true], 'all, in order, byte-exact');
    t.same([r.recv, r.drop], [30000, 0], 'no drop for want of a free frame');
  });

  t.test('packets gather before the reader wakes (bounded), unless immediate', async (t) => {
    const r = await scenario(t, ns, 'gather');
    t.equal(r.gathered?.first, 0, 'the first sync after the frame arrived holds it');
    t.equal(r.gathered?.seq, 1, 'then it is delivered');
    t.ok(r.gathered?.ms < 500, `within the hold, not the 5 s timeout (${r.gathered?.ms} ms)`);
    t.equal(r.immediate?.first, 1, 'immediate: the first sync delivers it');
    t.equal(r.immediate?.seq, 1);
  });

  t.test('link down under a capture: ENETDOWN, then it captures again; deleted: ENODEV', async (t) => {
    const r = await scenario(t, ns, 'linkDown');
    t.equal(r.kept, 10, 'packets before the fault were delivered');
    t.equal(r.outcome, 'ENETDOWN', 'loop() rejects with ENETDOWN, it does not hang silently');
    t.same(r.resumed, [100, 101, 102, 103, 104, 105, 106, 107, 108, 109], 'the session captures again once the link is up');
    t.same(r.deleted, ['ENODEV'], "the interface deleted: 'error' with ENODEV, once");
  });

  t.test('xdp: as both ends', async (t) => {
    const r = await scenario(t, ns, 'roundtrip', { n: 10000, size: 100, from: 'xdp:va', to: 'xdp:vb' });
    t.same([r.captured, r.inOrder, r.byteExact], [10000, true, true]);
  });

  for (const expr of ['arp', 'udp port 9', 'udp and len > 100', 'vlan 5', 'vlan and udp port 9',
    'ether broadcast', 'not udp', 'ether proto 0x88b5 and len >= 500']) {
    t.test(`filter "${expr}": the same frames as the plain backend`, async (t) => {
      const r = await scenario(t, ns, 'filter', { expr });
      t.ok(r.plain?.length > 0, `the plain port captured ${r.plain?.length}`);
      t.same(r.xdp, r.plain, 'xdp: passes exactly those, in order');
    });
  }

  t.test('setFilter() on an open port, and removing it', async (t) => {
    const r = await scenario(t, ns, 'setFilter');
    t.same(r.counts, [10, 10, 50], 'arp: 10, udp port 10: 10, none: all 50');
  });

  t.test('the program and promiscuous mode are on while open, off after close()', async (t) => {
    const r = await scenario(t, ns, 'detach');
    t.same(r, { before: [false, false], during: [true, true], after: [false, false], mode: 'copy', notPromisc: true });
  });

  t.test('findAllDevs() lists xdp for Ethernet interfaces', async (t) => {
    const r = await scenario(t, ns, 'devices');
    t.same(r, { va: ['afpacket', 'xdp'], lo: ['afpacket'], any: ['afpacket'] });
  });

  t.test('SIGKILL of the owner leaves no program attached', async (t) => {
    const r = await runInNetns(ns, FIXTURE, ['sigkill'], { timeoutMs: 30_000 });
    t.equal(r.signal, 'SIGKILL', 'the owner died by SIGKILL');
    t.equal(r.json?.opened, true, 'it had the program attached');
    // The link goes when the dead process's descriptors are released.
    let left = attached(ns, 'vb');
    for (let i = 0; i < 50 && left; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = attached(ns, 'vb');
    }
    t.equal(left, false, 'ip link shows no XDP program on vb');
  });

  t.test('nmsend sends on xdp:va, nmdump captures on xdp:vb', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'nmp-xdp-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'xdp.pcap');
    const cap = startNmdump(['-i', 'xdp:vb', '-c', '500', '-w', file], { netns: ns.name });
    await cap.waitForStderr('listening on xdp:vb');
    const send = await nmsend(ns, ['-i', 'xdp:va', '--generate', '--count', '500']);
    t.equal(send.code, 0, send.stderr);
    t.match(send.stderr, /sent 500 packets .*failed 0; count reached/);
    const r = await cap.done;
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /^500 packets captured$/m);
    t.match(r.stderr, /^0 packets dropped by kernel$/m);
  });

  t.test('bad names and misuse: PcapError codes that say why', async (t) => {
    const r = await scenario(t, ns, 'errors');
    t.equal(r.noDevice?.code, 'ENODEV');
    t.match(r.noDevice?.message, /no such device "nmpnosuch0"/);
    t.equal(r.noQueue?.code, 'ENODEV');
    t.match(r.noQueue?.message, /vb has no queue 7: it has 1/);
    t.equal(r.hugeQueue?.code, 'EINVAL');
    t.match(r.hugeQueue?.message, /the queue number is over 255/);
    t.equal(r.notEthernet?.code, 'ENOTSUP');
    t.match(r.notEthernet?.message, /lo is not an Ethernet interface/);
    t.equal(r.queueTaken?.code, 'EBUSY');
    t.match(r.queueTaken?.message, /queue 0 of vb is already taken/);
    t.equal(r.outOnly?.code, 'ENOTSUP');
    t.equal(r.setDirectionOut?.code, 'ENOTSUP');
    t.match(r.setDirectionOut?.message, /sees only the packets vb receives/);
    t.equal(r.badFilter?.code, 'EFILTER');
    t.equal(r.down?.code, 'ENETDOWN');
    t.match(r.down?.message, /ip link set va up/);
    t.equal(r.leftAttached, false, 'failed opens leave nothing attached');
  });
});

t.test('two queues, one socket each (one process, then one worker_thread per queue)', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  ns.exec('ip', ['link', 'add', 'qa', 'numrxqueues', '2', 'numtxqueues', '2', 'type', 'veth',
    'peer', 'name', 'qb', 'numrxqueues', '2', 'numtxqueues', '2']);
  ns.exec('ip', ['link', 'set', 'qa', 'up']);
  ns.exec('ip', ['link', 'set', 'qb', 'up']);
  const r = await scenario(t, ns, 'queues');
  for (const q of [0, 1]) {
    t.equal(r.per?.[q]?.captured, 500, `queue ${q}: all its frames`);
    t.equal(r.per?.[q]?.ownQueueOnly, true, `queue ${q}: only its own`);
    t.equal(r.per?.[q]?.inOrder, true, `queue ${q}: in order`);
  }
  t.equal(r.stillAttached, true, 'closing one queue keeps the program for the other');
  t.equal(r.afterClose, 100, 'queue 1 still receives');
  t.equal(r.detached, true, 'closing the last port detaches it');

  const w = await runInNetns(ns, join(__dirname, 'fixtures', 'xdp-workers.ts'), ['2000'], { timeoutMs: 60_000 });
  t.equal(w.code, 0, 'workers: clean exit');
  for (const q of [0, 1]) {
    t.same(w.json?.per?.[q], { got: 2000, ownOnly: true, inOrder: true, mode: 'copy' },
      `worker ${q} owns queue ${q}: all its frames, only its own, in order`);
  }
  t.equal(attached(ns, 'qb'), false, 'nothing left attached');
});
