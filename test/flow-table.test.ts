/**
 * The flow table (lib/flow/flow-table.ts), its text records and IPFIX
 * export: counters, times, TCP state and every expiry reason on hand-made
 * packets; then end to end — real TCP transfers captured in a netns, the
 * records exported over UDP to nfdump's collector (nfcapd on 127.0.0.1),
 * read back with nfdump: the same flows with the same counters; and
 * softflowd, the classic pcap-to-IPFIX exporter, run on the same capture
 * into another nfcapd: the same packets and bytes per direction.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { FlowEngine } from '../lib/flow/engine';
import type { FlowRecord } from '../lib/flow/flow-table';
import { IpfixEncoder, IpfixExporter, IPFIX_TEMPLATE_IPV4, REVERSE_PEN } from '../lib/flow/ipfix';
import { FLOW_CSV_HEADER, flowToCsvLine, flowToJsonLine } from '../lib/flow/records';
import { ethernet, hdr, ipv4, udp } from './fixtures/flow/ip';
import { tcpSegment } from './fixtures/flow/tcp';
import { feedFile, tcpdumpIn } from './helpers/flows';
import { freeUdpPort, nfcapd, nfdumpRead, type NfFlow } from './helpers/nfdump';
import { Netns, requireRoot } from './helpers/netns';

function recorder(options: ConstructorParameters<typeof FlowEngine>[0] = {}) {
  const engine = new FlowEngine(options);
  const flows: FlowRecord[] = [];
  engine.table!.on('flow', (r: FlowRecord) => flows.push(r));
  const push = (frame: Buffer, ms: number): void => engine.push(frame, hdr(ms, frame.length), 1);
  return { engine, flows, push };
}
const A = '198.18.0.1';
const B = '198.18.0.2';
const u = (sport: number, dport: number, n: number, src = A, dst = B): Buffer =>
  ethernet(0x0800, ipv4(udp(sport, dport, Buffer.alloc(n)), { src, dst, protocol: 17 }));
const seg = (o: Parameters<typeof tcpSegment>[0]): Buffer => tcpSegment(o);

t.test('counters, times and direction of a biflow; idle timeout', async (t) => {
  const r = recorder({ table: { idleTimeoutMs: 10_000 } });
  r.push(u(1000, 53, 30), 1000);
  r.push(u(53, 1000, 100, B, A), 1200);
  r.push(u(1000, 53, 30), 1500);
  t.equal(r.flows.length, 0);
  r.push(u(7, 7, 1, '198.18.0.9', B), 11_501); // time moves on: the first flow is idle
  t.equal(r.flows.length, 1);
  t.match(r.flows[0], {
    version: 4, protocol: 17, src: A, srcPort: 1000, dst: B, dstPort: 53, startMs: 1000, endMs: 1500,
    packets: 2, bytes: 2 * (20 + 8 + 30), reversePackets: 1, reverseBytes: 20 + 8 + 100, tcpState: null, endReason: 'idle',
  });
  r.engine.flush();
  t.equal(r.flows[1].endReason, 'forced');
  t.same(r.engine.table!.stats().records, { idle: 1, active: 0, 'end-of-flow': 0, forced: 1, 'lack-of-resources': 0 });
});

t.test('active timeout splits a long flow; maxFlows evicts the least recent', async (t) => {
  const r = recorder({ table: { activeTimeoutMs: 60_000, idleTimeoutMs: 30_000 } });
  for (let ms = 0; ms <= 130_000; ms += 10_000) r.push(u(1, 2, 10), ms);
  r.engine.flush();
  t.same(r.flows.map((f) => [f.endReason, f.packets]), [['active', 6], ['active', 6], ['forced', 2]]);
  const m = recorder({ table: { maxFlows: 2 } });
  for (let p = 0; p < 4; p++) m.push(u(100 + p, 2, 10), p);
  t.same(m.flows.map((f) => [f.srcPort, f.endReason]), [[100, 'lack-of-resources'], [101, 'lack-of-resources']]);
});

t.test('TCP: state and flags per direction; FINs or RST end the flow after tcpEndTimeoutMs', async (t) => {
  const r = recorder({ table: { tcpEndTimeoutMs: 2000 } });
  const c = { src: A, dst: B, sport: 40000, dport: 80 };
  const s = { src: B, dst: A, sport: 80, dport: 40000 };
  r.push(seg({ ...c, seq: 0, flags: 'S' }), 0);
  r.push(seg({ ...s, seq: 0, ack: 1, flags: 'SA' }), 1);
  r.push(seg({ ...c, seq: 1, ack: 1, flags: 'A' }), 2);
  r.push(seg({ ...c, seq: 1, ack: 1, flags: 'FA' }), 3);
  r.push(seg({ ...s, seq: 1, ack: 2, flags: 'FA' }), 4);
  r.push(seg({ ...c, seq: 2, ack: 2, flags: 'A' }), 5);
  t.equal(r.flows.length, 0, 'the last ACK still counts');
  r.push(u(9, 9, 1), 2005);
  t.equal(r.flows.length, 1);
  t.match(r.flows[0], { tcpState: 'closed', endReason: 'end-of-flow', packets: 4, reversePackets: 2, tcpFlags: 0x13, reverseTcpFlags: 0x13 });
  r.push(seg({ ...c, sport: 40001, seq: 0, flags: 'S' }), 3000);
  r.push(seg({ ...s, dport: 40001, seq: 0, ack: 1, flags: 'RA' }), 3001);
  r.engine.flush();
  t.match(r.flows.find((f) => f.srcPort === 40001), { tcpState: 'reset', endReason: 'end-of-flow', reverseTcpFlags: 0x14 });
});

t.test('JSON lines and CSV', async (t) => {
  const r = recorder();
  r.push(u(1000, 53, 30), 1000);
  r.engine.flush();
  const j = JSON.parse(flowToJsonLine(r.flows[0]));
  t.match(j, { src: A, srcPort: 1000, dst: B, dstPort: 53, packets: 1, bytes: 58, endReason: 'forced', tcpState: null });
  t.equal(FLOW_CSV_HEADER.split(',').length, flowToCsvLine(r.flows[0]).split(',').length);
  t.equal(flowToCsvLine(r.flows[0]), `4,17,0,${A},1000,${B},53,1000,1000,1,58,0,0,0,0,,forced\n`);
});

t.test('IPFIX messages: header, templates in the first message and again when due, sequence numbers', async (t) => {
  const rec = (i: number, version: 4 | 6 = 4): FlowRecord => ({
    version, protocol: 6, vlan: 0, src: version === 4 ? A : '2001:db8::1', srcPort: i, dst: version === 4 ? B : '2001:db8::2', dstPort: 80,
    startMs: 1000, endMs: 2000, packets: 1, bytes: 60, reversePackets: 1, reverseBytes: 60, tcpFlags: 2, reverseTcpFlags: 0x12, tcpState: 'syn-received', endReason: 'idle',
  });
  const e = new IpfixEncoder({ templateRefreshMessages: 2, observationDomainId: 7 });
  const m = [e.encode([rec(1)], 0), e.encode([rec(2)], 1), e.encode([rec(3), rec(4, 6)], 2)].flat();
  t.equal(m.length, 3);
  const v = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  t.same(m.map((b) => [v(b).getUint16(0), v(b).getUint16(2) === b.length, v(b).getUint32(12)]), [[10, true, 7], [10, true, 7], [10, true, 7]]);
  t.same(m.map((b) => v(b).getUint32(8)), [0, 1, 2], 'sequence number: data records sent before');
  t.same(m.map((b) => v(b).getUint16(16)), [2, IPFIX_TEMPLATE_IPV4, 2], 'templates in messages 1 and 3');
  t.ok(Buffer.from(m[0]).includes(Buffer.from([0, 0, REVERSE_PEN >> 8, REVERSE_PEN & 255])), 'reverse PEN in the template');
  t.throws(() => new IpfixEncoder({ maxMessageBytes: 10 }), { code: 'EINVAL' });
  t.throws(() => new IpfixExporter({} as never), { code: 'EINVAL' });
});

t.test('end to end: real transfers -> IPFIX -> nfcapd -> nfdump; softflowd on the same capture', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nmp-ipfix-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'transfers.pcap');
  const cap = await tcpdumpIn(t, ns, 'lo', file);
  for (const port of [8081, 8082, 8083]) {
    ns.exec(process.execPath, [path.join(__dirname, 'fixtures', 'flow', 'transfer.js'), String(port), String(port * 10), String(port * 30), dir]);
  }
  await cap.stop();

  const ours: FlowRecord[] = [];
  const engine = new FlowEngine();
  const port = await freeUdpPort();
  const collector = await nfcapd(t, path.join(dir, 'ours'), port);
  const exporter = new IpfixExporter({ host: '127.0.0.1', port });
  engine.table!.on('flow', (r: FlowRecord) => { ours.push(r); exporter.add(r); });
  await feedFile(engine, file);
  await exporter.close();
  await collector.stop();
  t.equal(ours.length, 3, 'three TCP flows');
  t.equal(exporter.counters.errors, 0);
  const back = nfdumpRead(path.join(dir, 'ours'));
  const key = (f: NfFlow): string => `${f.src4_addr}:${f.src_port}>${f.dst4_addr}:${f.dst_port}/${f.proto}`;
  const mine = new Map(ours.map((r) => [`${r.src}:${r.srcPort}>${r.dst}:${r.dstPort}/${r.protocol}`, r]));
  t.equal(back.length, 3, 'nfdump reads back three flows');
  for (const f of back) {
    const r = mine.get(key(f));
    t.ok(r, `${key(f)} is one of ours`);
    if (!r) continue;
    t.same([f.in_packets, f.in_bytes, f.out_packets, f.out_bytes], [r.packets, r.bytes, r.reversePackets, r.reverseBytes], `${key(f)}: counters both ways`);
    t.equal(Date.parse(`${f.first}Z`), Math.floor(r.startMs), `${key(f)}: first seen`);
    t.equal(Date.parse(`${f.last}Z`), Math.floor(r.endMs), `${key(f)}: last seen`);
  }

  // softflowd on the same file (bidirectional IPFIX), into its own collector.
  const port2 = await freeUdpPort();
  const collector2 = await nfcapd(t, path.join(dir, 'softflowd'), port2);
  // (-c, a control socket of its own, makes -r wait for commands: leave softflowd its default.)
  execFileSync('softflowd', ['-r', file, '-n', `127.0.0.1:${port2}`, '-v', '10', '-b', '-d'], { stdio: 'ignore', timeout: 30_000 });
  await collector2.stop();
  const theirs = nfdumpRead(path.join(dir, 'softflowd'));
  // Per direction: packets and bytes from src to dst, however the exporter split its records.
  const perDirection = (list: { k: string; p: number; b: number }[]): Map<string, [number, number]> => {
    const m = new Map<string, [number, number]>();
    for (const { k, p, b } of list) {
      const v = m.get(k) ?? [0, 0];
      m.set(k, [v[0] + p, v[1] + b]);
    }
    return m;
  };
  const fromUs = perDirection(ours.flatMap((r) => [
    { k: `${r.src}:${r.srcPort}>${r.dst}:${r.dstPort}`, p: r.packets, b: r.bytes },
    { k: `${r.dst}:${r.dstPort}>${r.src}:${r.srcPort}`, p: r.reversePackets, b: r.reverseBytes },
  ]));
  const fromSoftflowd = perDirection(theirs.flatMap((f) => [
    { k: `${f.src4_addr}:${f.src_port}>${f.dst4_addr}:${f.dst_port}`, p: f.in_packets, b: f.in_bytes },
    ...(f.out_packets > 0 ? [{ k: `${f.dst4_addr}:${f.dst_port}>${f.src4_addr}:${f.src_port}`, p: f.out_packets, b: f.out_bytes }] : []),
  ]));
  t.same(Object.fromEntries([...fromSoftflowd].sort()), Object.fromEntries([...fromUs].sort()), 'softflowd counts the same packets and bytes per direction');
});
