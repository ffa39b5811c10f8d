/**
 * IP defragmentation (lib/flow/defrag.ts through FlowEngine): hand-made
 * IPv4 and IPv6 fragments in every order, overlaps under both policies,
 * the bounds and timeouts with their drop reasons; and real fragmented
 * pings (IPv4 and IPv6, captured by tcpdump inside a netns whose lo has a
 * 1500-byte MTU), whose rebuilt datagrams must equal tshark's reassembly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { FlowEngine } from '../lib/flow/engine';
import type { DefragDrop } from '../lib/flow/defrag';
import type { FlowPacket } from '../lib/flow/packet';
import { prng } from './fixtures/savefile/util';
import { ethernet, hdr, ipv4, v4Fragments, v6Fragments, udp } from './fixtures/flow/ip';
import { feedFile, tcpdumpIn } from './helpers/flows';
import { Netns, requireRoot } from './helpers/netns';

const payload = (n: number, seed = 1): Buffer => {
  const r = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
};

/** An engine that records IP packets, rebuilt datagrams and drops. */
function recorder(options: ConstructorParameters<typeof FlowEngine>[0] = {}) {
  const engine = new FlowEngine(options);
  const ip: FlowPacket[] = [];
  const datagrams: Buffer[] = [];
  const drops: DefragDrop[] = [];
  engine.on('ip', (p: FlowPacket) => ip.push(p));
  engine.on('datagram', (d: Uint8Array) => datagrams.push(Buffer.from(d)));
  engine.on('fragment-drop', (d: DefragDrop) => drops.push(d));
  const push = (frames: Buffer[], ms = 1000): void => {
    for (const f of frames) engine.push(f, hdr(ms, f.length), 1);
  };
  return { engine, ip, datagrams, drops, push };
}

const shuffle = <T>(a: T[], seed: number): T[] => {
  const r = prng(seed);
  const b = a.slice();
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [b[i], b[j]] = [b[j], b[i]];
  }
  return b;
};

t.test('IPv4: fragments in any order rebuild the datagram; UDP is decoded from it', async (t) => {
  const body = udp(5000, 6000, payload(3000));
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = recorder();
    const frames = v4Fragments(body, [1480, 2960], { id: seed }).map((f) => ethernet(0x0800, f));
    r.push(shuffle(frames, seed));
    t.equal(r.datagrams.length, 1, `seed ${seed}: one datagram`);
    const d = r.datagrams[0];
    t.same(d.subarray(20), body, 'payload equal to what was cut');
    t.equal(d.readUInt16BE(2), 20 + body.length, 'total length rewritten');
    t.equal(d.readUInt16BE(6) & 0x3fff, 0, 'MF and offset cleared');
    t.equal(r.ip.length, 1, 'one IP packet handed on');
    t.equal(r.ip[0].udp?.dstPort, 6000);
    t.equal(r.ip[0].payloadLength, 3000);
    t.ok(r.ip[0].reassembled);
    t.equal(r.engine.stats().defrag!.pending, 0, 'nothing left pending');
  }
});

t.test('IPv6: fragment header removed, next header and payload length rewritten', async (t) => {
  const body = udp(5000, 6000, payload(4000, 9));
  const r = recorder();
  r.push(shuffle(v6Fragments(body, [1232, 2464, 3696]), 7).map((f) => ethernet(0x86dd, f)));
  t.equal(r.datagrams.length, 1);
  const d = r.datagrams[0];
  t.equal(d[6], 17, 'next header is UDP');
  t.equal(d.readUInt16BE(4), body.length, 'payload length');
  t.same(d.subarray(40), body);
  t.equal(r.ip[0].udp?.srcPort, 5000);
  t.equal(r.ip[0].src, '2001:db8::1');
});

t.test('overlaps: first wins by default; drop policy discards; exact duplicates are not overlaps', async (t) => {
  const a = Buffer.alloc(16, 0xaa);
  const b = Buffer.alloc(16, 0xbb);
  // [0,16) of A, then B covering [8,24), then the last piece [24,32).
  const f1 = ethernet(0x0800, ipv4(a, { offset: 0, more: true }));
  const f2 = ethernet(0x0800, ipv4(b, { offset: 8, more: true }));
  const f3 = ethernet(0x0800, ipv4(Buffer.alloc(8, 0xcc), { offset: 24, more: false }));
  const first = recorder();
  first.push([f1, f2, f3]);
  t.equal(first.datagrams.length, 1);
  t.same(first.datagrams[0].subarray(20), Buffer.concat([a, Buffer.alloc(8, 0xbb), Buffer.alloc(8, 0xcc)]), 'A kept where B overlapped it');
  t.equal(first.engine.stats().defrag!.overlapBytes, 8);
  const dropped = recorder({ defrag: { overlap: 'drop' } });
  dropped.push([f1, f2, f3]);
  t.equal(dropped.datagrams.length, 0);
  t.same(dropped.drops.map((d) => d.reason), ['overlap']);
  t.equal(dropped.engine.stats().defrag!.dropped.overlap, 1);
  const dup = recorder({ defrag: { overlap: 'drop' } });
  dup.push([f1, f1, f3, ethernet(0x0800, ipv4(Buffer.alloc(8, 0xdd), { offset: 16, more: true }))]);
  t.equal(dup.datagrams.length, 1, 'a repeated fragment does not kill the datagram');
  t.equal(dup.engine.stats().defrag!.duplicates, 1);
});

t.test('bad fragments: unaligned, ends that disagree, data past the end, cut by snaplen', async (t) => {
  const unaligned = recorder();
  unaligned.push([ethernet(0x0800, ipv4(Buffer.alloc(13), { offset: 0, more: true }))]);
  t.same(unaligned.drops.map((d) => d.reason), ['bad-fragment']);
  const ends = recorder();
  ends.push([
    ethernet(0x0800, ipv4(Buffer.alloc(8), { offset: 16, more: false })),
    ethernet(0x0800, ipv4(Buffer.alloc(8), { offset: 32, more: false })),
  ]);
  t.same(ends.drops.map((d) => d.reason), ['bad-fragment'], 'two different last fragments');
  const past = recorder();
  past.push([
    ethernet(0x0800, ipv4(Buffer.alloc(8), { offset: 8, more: false })),
    ethernet(0x0800, ipv4(Buffer.alloc(16), { offset: 8, more: true })),
  ]);
  t.same(past.drops.map((d) => d.reason), ['bad-fragment'], 'data past the end');
  const cut = recorder();
  const f = ethernet(0x0800, ipv4(Buffer.alloc(800), { offset: 0, more: true }));
  cut.engine.push(f.subarray(0, 100), hdr(0, f.length), 1);
  t.same(cut.drops.map((d) => d.reason), ['truncated']);
  t.equal(cut.engine.stats().defrag!.pending, 0);
});

t.test('bounds: datagram size, total bytes, datagram count; timeouts by packet time', async (t) => {
  const big = recorder({ defrag: { maxDatagramBytes: 2000 } });
  big.push([ethernet(0x0800, ipv4(Buffer.alloc(800), { offset: 1600, more: true }))]);
  t.same(big.drops.map((d) => d.reason), ['too-big']);
  // IPv4 cannot exceed 65535: an offset near the top plus data overruns it.
  const huge = recorder();
  huge.push([ethernet(0x0800, ipv4(Buffer.alloc(1480), { offset: 8189 * 8, more: false }))]);
  t.same(huge.drops.map((d) => d.reason), ['too-big']);

  const mem = recorder({ defrag: { maxBytes: 10_000 } });
  for (let id = 0; id < 50; id++) mem.push([ethernet(0x0800, ipv4(Buffer.alloc(1000), { id, offset: 0, more: true }))]);
  const s = mem.engine.stats().defrag!;
  t.ok(s.pendingBytes <= 10_000, `held ${s.pendingBytes} bytes <= 10000`);
  t.ok(s.dropped.memory >= 40, `${s.dropped.memory} evicted for memory`);
  t.equal(mem.drops[0].id, 0, 'the oldest goes first');

  const count = recorder({ defrag: { maxDatagrams: 3 } });
  for (let id = 0; id < 10; id++) count.push([ethernet(0x0800, ipv4(Buffer.alloc(8), { id, offset: 0, more: true }))]);
  t.equal(count.engine.stats().defrag!.pending, 3);
  t.equal(count.engine.stats().defrag!.dropped.memory, 7);

  const late = recorder({ defrag: { timeoutMs: 30_000 } });
  const frags = v4Fragments(udp(1, 2, payload(2000)), [1000]).map((f) => ethernet(0x0800, f));
  late.push([frags[0]], 1_000);
  late.push([frags[1]], 31_001);
  t.equal(late.datagrams.length, 0, 'the second fragment came after the timeout');
  t.same(late.drops.map((d) => d.reason), ['timeout']);
  t.equal(late.engine.stats().defrag!.pending, 1, 'the late fragment starts a new datagram');
  late.engine.flush();
  t.equal(late.engine.stats().defrag!.pending, 0, 'flush gives up the rest');

  const inTime = recorder({ defrag: { timeoutMs: 30_000 } });
  inTime.push([frags[0]], 1_000);
  inTime.push([frags[1]], 30_999);
  t.equal(inTime.datagrams.length, 1, 'within the timeout');
});

t.test('VLANs keep equal datagrams apart', async (t) => {
  const body = udp(1, 2, payload(1600));
  const [a, b] = v4Fragments(body, [800]);
  const r = recorder();
  r.push([ethernet(0x0800, a, 10), ethernet(0x0800, b, 20)]);
  t.equal(r.datagrams.length, 0);
  r.push([ethernet(0x0800, b, 10)]);
  t.equal(r.datagrams.length, 1);
  t.equal(r.ip[0].vlan, 10);
});

t.test('fragmented pings captured for real equal tshark\'s reassembly', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t, { disableIpv6: false });
  ns.exec('ip', ['link', 'set', 'lo', 'mtu', '1500']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nmp-frag-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'ping.pcap');
  const cap = await tcpdumpIn(t, ns, 'lo', file);
  ns.exec('ping', ['-c', '3', '-i', '0.2', '-s', '4000', '-p', 'a5', '127.0.0.1']);
  ns.exec('ping', ['-6', '-c', '3', '-i', '0.2', '-s', '5000', '::1']);
  await cap.stop();

  const r = recorder();
  await feedFile(r.engine, file);
  const ours = r.datagrams.map((d) => d.subarray(d[0] >>> 4 === 4 ? (d[0] & 15) * 4 : 40).toString('hex'));
  const tshark = execFileSync('tshark', ['-r', file, '-o', 'ip.defragment:TRUE', '-o', 'ipv6.defragment:TRUE',
    '-Y', 'ip.reassembled.data || ipv6.reassembled.data', '-T', 'fields', '-e', 'ip.reassembled.data', '-e', 'ipv6.reassembled.data'],
  { encoding: 'utf8' }).split('\n').map((l) => l.replace(/\s/g, '')).filter(Boolean);
  t.equal(ours.length, 12, '6 echo requests and 6 replies rebuilt');
  t.same(ours, tshark, 'every datagram equals tshark\'s, in the same order');
  t.equal(r.engine.stats().defrag!.pending, 0);
  t.equal(r.ip.filter((p) => p.protocol === 1 || p.protocol === 58).length, 12, 'ICMP handed on');
});
