/**
 * One symmetric flow hash to N workers (issue 14): flowHash
 * (lib/flow/hash.ts) on hand-made frames — both directions alike, every
 * fragment of a datagram alike, IPv4 and IPv6, VLANs, link types — and the
 * software fan-out (lib/fanout.ts) end to end: seeded traffic of 120 flows
 * spread over 3 pipe: ports read by 3 worker_threads, from a savefile and
 * from a live capture on a veth in a netns. Every frame reaches exactly one
 * worker, each flow one worker (both directions, its fragments too), in
 * capture order within each flow and each datagram. And on the tcpdump
 * corpus: flowHash never throws, and each of its TCP/UDP packets hashes as
 * the same packet with addresses and ports swapped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { flowHash, flowWorker } from '../lib/flow/hash';
import { FanOut } from '../lib/fanout';
import { ethernet, ipv4, udp, v4Fragments, v6Fragments } from './fixtures/flow/ip';
import { tcpSegment } from './fixtures/flow/tcp';
import { fanoutTraffic, type TrafficFrame } from './fixtures/flow/fanout-traffic';
import { readdirSync, readFileSync } from 'node:fs';
import { decodePacket } from '../lib/decode/packet';
import { fragmentOf } from '../lib/flow/hash';
import { readAll } from './fixtures/savefile/util';
import { corpusDir } from './helpers/flows';
import { runChild, runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

const FIXTURE = path.join(__dirname, 'fixtures', 'fanout-run.ts');
/** flowHash of the three frames pinned in the first test: they must never change (stable across runs, hosts, versions). */
const PINNED = ['942fdb8d', 'e3023748', 'b780d369'];

/** The fixture's JSON result, after checking the run ended well; null if not. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function runResult(t: Test, r: { timedOut?: boolean; code: number | null; stderr: string; json?: any; jsonError?: string }): any {
  t.notOk(r.timedOut, 'no hang');
  t.equal(r.code, 0, `exit 0 (${r.stderr.slice(-500)})`);
  const j = r.json;
  t.ok(j && !j.error, j?.error ?? r.jsonError ?? 'a result');
  return j && !j.error ? j : null;
}

t.test('flowHash: symmetric, fragments alike, stable', async (t) => {
  const seg = (src: string, dst: string, sport: number, dport: number, vlan?: number) =>
    tcpSegment({ src, dst, sport, dport, seq: 1, flags: 'A', vlan });
  const ab = flowHash(seg('198.18.0.1', '198.19.0.9', 40000, 80));
  t.equal(flowHash(seg('198.19.0.9', '198.18.0.1', 80, 40000)), ab, 'TCP/IPv4: B→A hashes as A→B');
  t.not(flowHash(seg('198.18.0.1', '198.19.0.9', 40001, 80)), ab, 'another source port, another hash');
  t.not(flowHash(seg('198.18.0.1', '198.19.0.9', 40000, 80, 5)), ab, 'the VLAN id is part of the flow');
  t.equal(flowHash(seg('198.19.0.9', '198.18.0.1', 80, 40000, 5)), flowHash(seg('198.18.0.1', '198.19.0.9', 40000, 80, 5)), 'tagged: symmetric');
  // Equal ports and an address pair swapped: sorting (not XOR) keeps them apart from each other's mirror.
  t.equal(flowHash(seg('198.18.0.1', '198.18.0.1', 7, 9)), flowHash(seg('198.18.0.1', '198.18.0.1', 9, 7)), 'A→A flows: symmetric in the ports');

  const payload = udp(5000, 53, Buffer.alloc(1500, 7));
  const f4 = v4Fragments(payload, [496, 1000], { src: '198.18.1.1', dst: '198.19.1.1', id: 77, protocol: 17 }).map((p) => ethernet(0x0800, p));
  const h4 = f4.map((f) => flowHash(f));
  t.same(h4, [h4[0], h4[0], h4[0]], 'IPv4: every fragment of a datagram hashes alike (the first too)');
  const r4 = v4Fragments(payload, [496], { src: '198.19.1.1', dst: '198.18.1.1', id: 99, protocol: 17 }).map((p) => ethernet(0x0800, p));
  t.equal(flowHash(r4[1]), h4[0], 'IPv4: fragments of the other direction hash alike');
  const whole = ethernet(0x0800, ipv4(udp(5000, 53, Buffer.alloc(20)), { src: '198.18.1.1', dst: '198.19.1.1', protocol: 17 }));
  t.equal(flowHash(whole, 1, { ports: false }), h4[0], 'ports: false: the flow\'s whole datagrams hash as its fragments');
  t.not(flowHash(whole), h4[0], 'by default whole datagrams hash on their ports too');

  const f6 = v6Fragments(payload, [496, 1000], { src: '2001:2::1', dst: '2001:2::2', id: 5, nextHeader: 17 }).map((p) => ethernet(0x86dd, p));
  const h6 = f6.map((f) => flowHash(f));
  t.same(h6, [h6[0], h6[0], h6[0]], 'IPv6: every fragment alike');
  const r6 = v6Fragments(payload, [496], { src: '2001:2::2', dst: '2001:2::1', id: 6, nextHeader: 17 }).map((p) => ethernet(0x86dd, p));
  t.equal(flowHash(r6[1]), h6[0], 'IPv6: the other direction alike');
  const atomic = v6Fragments(payload, [], { src: '2001:2::1', dst: '2001:2::2', id: 7, nextHeader: 17 }).map((p) => ethernet(0x86dd, p))[0];
  const atomicBack = v6Fragments(udp(53, 5000, Buffer.alloc(9)), [], { src: '2001:2::2', dst: '2001:2::1', id: 8, nextHeader: 17 }).map((p) => ethernet(0x86dd, p))[0];
  t.equal(flowHash(atomic), flowHash(atomicBack), 'IPv6 atomic fragments (RFC 6946) hash on their ports, symmetric');
  t.not(flowHash(atomic), h6[0], '… unlike real fragments');

  // Link types: the same IP packet under raw IP, SLL and SLL2 hashes as on Ethernet.
  const ip = whole.subarray(14);
  const sll = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00]), ip]);
  const sll2 = Buffer.concat([Buffer.from([0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]), ip]);
  const nul = Buffer.concat([Buffer.from([2, 0, 0, 0]), ip]);
  t.same([flowHash(ip, 101), flowHash(sll, 113), flowHash(sll2, 276), flowHash(nul, 0)], new Array(4).fill(flowHash(whole)), 'raw IP, SLL, SLL2, NULL');

  // Not IP: the Ethernet address pair, symmetric; nonsense never throws.
  const arp = Buffer.concat([Buffer.from('ffffffffffff020000000001', 'hex'), Buffer.from([8, 6]), Buffer.alloc(28)]);
  const arpBack = Buffer.concat([Buffer.from('020000000001ffffffffffff', 'hex'), Buffer.from([8, 6]), Buffer.alloc(28)]);
  t.equal(flowHash(arp), flowHash(arpBack), 'non-IP: the MAC pair, symmetric');
  for (const junk of [Buffer.alloc(0), Buffer.alloc(13), Buffer.from('0000000000000000000000000800', 'hex'), Buffer.from('000000000000000000000000810000', 'hex')]) {
    t.doesNotThrow(() => flowHash(junk), `junk of ${junk.length} bytes`);
  }

  // Stable across runs, hosts and versions: pinned values (no seed anywhere).
  t.same([ab, h4[0], h6[0]], [flowHash(seg('198.18.0.1', '198.19.0.9', 40000, 80)), h4[0], h6[0]]);
  t.same([ab, h4[0], h6[0]].map((h) => h.toString(16)), PINNED, 'the pinned hash values (changing them re-splits every deployment)');

  // Spread: 10000 flows over 4 workers, within 10% of even.
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 10000; i++) counts[flowWorker(flowHash(seg(`198.18.${i >> 8}.${i & 255}`, '198.19.0.1', 1024 + i, 443)), 4)]++;
  t.ok(counts.every((c) => Math.abs(c - 2500) < 250), `even split: ${counts.join(' ')}`);
  t.throws(() => flowWorker(1, 0), { code: 'EINVAL' });
});


/** The checks every fan-out run must pass. */
function checkSplit(t: Test, traffic: TrafficFrame[], workers: number[][]): void {
  const where = new Map<number, number>();
  let dup = 0;
  workers.forEach((got, w) => { for (const i of got) { if (where.has(i)) dup++; where.set(i, w); } });
  t.equal(dup, 0, 'no frame reached two workers');
  t.equal(where.size, traffic.length, `every frame reached a worker (${where.size} of ${traffic.length})`);
  for (const [w, got] of workers.entries()) t.ok(got.length > traffic.length / 10, `worker ${w} got a share (${got.length})`);
  const home = new Map<string, Set<number>>();
  traffic.forEach((f, i) => {
    const u = `f${f.flow}`;
    if (!home.has(u)) home.set(u, new Set());
    if (where.has(i)) home.get(u)!.add(where.get(i)!);
  });
  const split = [...home].filter(([, s]) => s.size > 1).map(([u]) => u);
  t.same(split, [], `each of ${home.size} flows on one worker, both directions, fragments included`);
  let disorder = 0;
  for (const got of workers) {
    const last = new Map<string, number>();
    for (const i of got) {
      // Order: of each flow's whole packets, and of each datagram's fragments
      // (a fragment that overtook its first fragment waits for it).
      const u = traffic[i].group;
      if ((last.get(u) ?? -1) > i) disorder++;
      last.set(u, i);
    }
  }
  t.equal(disorder, 0, 'capture order kept within each flow and each datagram');
  const bothWays = new Set(traffic.filter((f) => f.reverse).map((f) => f.flow));
  t.ok(bothWays.size > traffic.length / 20, `${bothWays.size} flows have frames both ways`);
}

for (const ports of [true, false]) {
  t.test(`FanOut from a savefile to 3 worker_threads (ports: ${ports})`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nmp-fan-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const p = { name: `fan${process.pid}${ports ? 'p' : 'a'}`, workers: 3, seed: ports ? 11 : 12, flows: 120, perFlow: 12, ports, source: 'offline', file: path.join(dir, 'in.pcap') };
    const r = await runChild(FIXTURE, [JSON.stringify(p)], { timeoutMs: 90_000 });
    const j = runResult(t, r);
    if (!j) return;
    const traffic = fanoutTraffic(p.seed, p.flows, p.perFlow);
    t.ok(traffic.some((f) => f.fragment), `${traffic.filter((f) => f.fragment).length} of ${traffic.length} frames are fragments`);
    checkSplit(t, traffic, j.workers);
    t.equal(j.stats.total.drops, 0, 'nothing dropped');
    t.equal(j.stats.total.packets, traffic.length);
    t.equal(j.other, 0, 'nothing else in the pipes');
    // The distributor's choice is the hash's: recomputed here, frame by frame.
    const fan = { workerOf: (f: Buffer) => flowWorker(flowHash(f, 1, { ports }), 3) };
    const wrong = (j.workers as number[][]).flatMap((got, w) => got.filter((i) => (!ports || !traffic[i].fragment) && fan.workerOf(traffic[i].frame) !== w));
    t.same(wrong, [], ports ? 'each whole packet went to workerOf(frame), fragments after their first' : 'each frame went to workerOf(frame)');
    if (ports) t.ok(j.stats.fragments.held > 0 && j.stats.fragments.unmatched === 0, `fragments that came first waited for their first fragment (${j.stats.fragments.held}), none in vain`);
  });
}

t.test('FanOut from a live capture on a veth (netns) to 3 worker_threads', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const p = { name: 'fanlive', workers: 3, seed: 13, flows: 120, perFlow: 12, source: 'live' };
  const r = await runInNetns(ns, FIXTURE, [JSON.stringify(p)], { timeoutMs: 90_000 });
  const j = runResult(t, r);
  if (!j) return;
  const traffic = fanoutTraffic(p.seed, p.flows, p.perFlow);
  checkSplit(t, traffic, j.workers);
  t.ok(j.stats.fragments.held > 0 && j.stats.fragments.unmatched === 0, `fragments that came first waited for their first fragment (${j.stats.fragments.held})`);
  t.equal(j.stats.total.drops, 0, 'nothing dropped');
  t.comment(`split: ${(j.workers as number[][]).map((w) => w.length).join(' + ')}, other frames ${j.other}`);
});

t.test('FanOut: argument errors, non-Ethernet sources', async (t) => {
  t.throws(() => new FanOut({ name: 'x', workers: 0 }), { code: 'EINVAL' });
  t.throws(() => new FanOut({ name: 'bad name!', workers: 2 }), { code: 'EINVAL' });
  const fan = new FanOut({ name: `fanerr${process.pid}`, workers: 2 });
  t.teardown(() => fan.close());
  t.equal(fan.ports.join(' '), `pipe:fanerr${process.pid}}0 pipe:fanerr${process.pid}}1`, 'the names workers open');
  t.throws(() => fan.push(Buffer.alloc(60), undefined, 113), { code: 'ENOTSUP', message: /Ethernet/ });
  t.throws(() => fan.attach({ datalink: () => 113, on() {}, off() {} } as never), { code: 'ENOTSUP' });
  const jumbo = Buffer.alloc(3000);
  const w = fan.workerOf(jumbo);
  t.equal(fan.push(jumbo), -1, 'a frame larger than a pipe slot is dropped, not thrown');
  t.same(fan.stats().workers[w], { packets: 0, bytes: 0, drops: 1 }, '… and counted for its worker');
  fan.close();
  fan.close();
  t.throws(() => fan.push(Buffer.alloc(60)), { code: 'ECLOSED' });
});

t.test('FanOut: a fragment whose first fragment never comes goes by address pair, after fragmentHoldMs', async (t) => {
  const fan = new FanOut({ name: `fanhold${process.pid}`, workers: 4, fragmentHoldMs: 30 });
  t.teardown(() => fan.close());
  const frag = (id: number) => v4Fragments(udp(5000, 53, Buffer.alloc(1200)), [600], { src: '198.18.9.1', dst: '198.19.9.1', id, protocol: 17 }).map((p) => ethernet(0x0800, p))[1];
  const at = (ms: number) => ({ tsSec: Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1e6, caplen: 0, len: 0 });
  const w = flowWorker(flowHash(frag(9), 1, { ports: false }), 4);
  t.equal(fan.push(frag(9), at(1_000_000)), -2, 'held (FANOUT_HELD)');
  t.equal(fan.push(frag(10), at(1_000_020)), -2, 'another, 20 ms later in packet time');
  t.equal(fan.stats().total.packets, 0, 'nothing sent yet');
  fan.push(frag(11), at(1_000_035));
  t.same([fan.stats().workers[w].packets, fan.stats().fragments], [1, { held: 3, unmatched: 1 }], '30 ms of packet time later: the first goes to its address pair\'s worker');
  await new Promise((r) => setTimeout(r, 1200));
  t.same([fan.stats().workers[w].packets, fan.stats().fragments], [3, { held: 3, unmatched: 3 }], 'no packet for 1 s of wall time: the rest go too');
  t.throws(() => new FanOut({ name: 'x', workers: 1, fragmentHoldMs: -1 }), { code: 'EINVAL' });
});

t.test('flowHash on the tcpdump corpus: never throws, and every TCP/UDP packet hashes as its mirror', async (t) => {
  const dir = corpusDir();
  if (dir === null) {
    if (process.env.CI === 'true') t.fail('corpus not found (../shared/corpus/tcpdump-tests)');
    else t.plan(0, 'skip: corpus not found');
    return;
  }
  const files = readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();
  let packets = 0;
  let mirrored = 0;
  const problems: string[] = [];
  for (const name of files) {
    const { packets: pkts } = readAll(readFileSync(path.join(dir, name)));
    for (const [i, p] of pkts.entries()) {
      packets++;
      try {
        const h = flowHash(p.data, p.linktype);
        if (!(Number.isInteger(h) && h >= 0 && h < 2 ** 32)) problems.push(`${name} #${i + 1}: hash ${h}`);
        flowHash(p.data, p.linktype, { ports: false });
        fragmentOf(p.data, p.linktype);
        // The same packet sent the other way: addresses and ports swapped in a copy.
        const d = decodePacket(p.data, p.linktype);
        const ips = d.layers.filter((l) => l.kind === 'ipv4' || l.kind === 'ipv6');
        const l4 = d.layers.find((l) => l.kind === 'tcp' || l.kind === 'udp') as { offset: number } | undefined;
        if (ips.length !== 1 || l4 === undefined || fragmentOf(p.data, p.linktype) !== null) continue;
        const ip = ips[0] as { kind: string; offset: number };
        const [at, n] = ip.kind === 'ipv4' ? [ip.offset + 12, 4] : [ip.offset + 8, 16];
        const m = Buffer.from(p.data);
        p.data.copy(m, at, at + n, at + 2 * n);
        p.data.copy(m, at + n, at, at + n);
        p.data.copy(m, l4.offset, l4.offset + 2, l4.offset + 4);
        p.data.copy(m, l4.offset + 2, l4.offset, l4.offset + 2);
        mirrored++;
        if (flowHash(m, p.linktype) !== h) problems.push(`${name} #${i + 1}: its mirror hashes differently`);
      } catch (e) {
        problems.push(`${name} #${i + 1}: threw ${(e as Error).stack}`);
      }
    }
  }
  t.same(problems.slice(0, 5), [], `${problems.length} problems`);
  t.ok(files.length >= 800 && packets > 10_000, `${packets} packets of ${files.length} captures`);
  t.ok(mirrored > 3000, `${mirrored} TCP/UDP packets hash as their mirror`);
});

t.test('FanOut: a worker that does not read loses frames (counted), the others do not', async (t) => {
  const name = `fanslow${process.pid}`;
  const fan = new FanOut({ name, workers: 2, ringSlots: 64, txWaitMs: 20, ports: false });
  t.teardown(() => fan.close());
  // Both workers' ends open in this thread; only worker 1 reads.
  const slow = (await import('../lib/live')).openLive(fan.ports[0]);
  const fast = (await import('../lib/live')).openLive(fan.ports[1]);
  t.teardown(() => { slow.close(); fast.close(); });
  let got = 0;
  fast.on('packet', () => { got++; });
  // Frames for each worker: UDP flows between address pairs that hash to it.
  const byWorker: Buffer[][] = [[], []];
  for (let i = 0; byWorker[0].length < 300 || byWorker[1].length < 300; i++) {
    const f = ethernet(0x0800, ipv4(udp(1000, 2000, Buffer.alloc(30)), { src: `198.18.${i >> 8}.${i & 255}`, dst: '198.19.0.1', protocol: 17 }));
    byWorker[fan.workerOf(f)].push(f);
  }
  const t0 = Date.now();
  for (let i = 0; i < 300; i++) {
    fan.push(byWorker[0][i]);
    fan.push(byWorker[1][i]);
    // The reading worker is in this thread: give it turns to drain (a real one has its own).
    if (i % 16 === 15) await new Promise((r) => setTimeout(r, 5));
  }
  for (let i = 0; i < 50 && got < 300; i++) await new Promise((r) => setTimeout(r, 20));
  const st = fan.stats().workers;
  t.ok(st[0].drops > 0 && st[0].packets + st[0].drops === 300, `the slow worker: ${st[0].packets} queued, ${st[0].drops} dropped`);
  t.ok(st[0].packets <= 64, 'no more queued than its pipe holds');
  t.same([st[1].drops, got], [0, 300], 'the reading worker got every frame of its flows');
  // 300 frames each, 16 per turn: ~19 turns, so at most ~19 waits of txWaitMs for the slow one.
  t.ok(Date.now() - t0 < 2000, `bounded: one wait per turn for the full pipe (${Date.now() - t0} ms)`);
});
