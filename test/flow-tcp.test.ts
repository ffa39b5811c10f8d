/**
 * TCP stream reassembly (lib/flow/tcp-*.ts through FlowEngine), on a real
 * transfer: a client and a server exchange random bytes over 127.0.0.1
 * inside a netns (lo at MTU 1500, offloads off, so segments are MSS-sized),
 * tcpdump captures it, and the capture is rewritten — seeded reordering,
 * duplication, loss, sequence numbers across the 2^32 wrap, the handshake
 * cut off — and read back through the library's offline session. Each
 * direction's reassembled bytes must equal what was sent (or, with loss,
 * what was sent with exactly the lost ranges reported as gaps).
 * Hand-made segments cover the overlap policy, RST, bounds and timeouts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { Test } from 'tap';
import { FlowEngine } from '../lib/flow/engine';
import type { TcpConnection } from '../lib/flow/tcp-connection';
import type { TcpGap } from '../lib/flow/tcp-stream';
import { prng, type Pkt } from './fixtures/savefile/util';
import { duplicate, moveSequence, readPackets, shuffleWindows, tcpFacts, writePcap } from './fixtures/flow/rewrite';
import { hdr } from './fixtures/flow/ip';
import { tcpSegment } from './fixtures/flow/tcp';
import { feedFile, tcpdumpIn } from './helpers/flows';
import { Netns, requireRoot } from './helpers/netns';

const PORT = 8080;

interface Side { bytes: Buffer[]; gaps: TcpGap[]; ended: boolean }
interface Seen { conn: TcpConnection; client: Side; server: Side }

/** An engine recording every connection's two directions. */
function collector(options: ConstructorParameters<typeof FlowEngine>[0] = {}) {
  const engine = new FlowEngine(options);
  const conns: Seen[] = [];
  engine.tcp!.on('connection', (conn: TcpConnection) => {
    const side = (s: TcpConnection['fromClient']): Side => {
      const r: Side = { bytes: [], gaps: [], ended: false };
      s.on('data', (c: Uint8Array) => r.bytes.push(Buffer.from(c)));
      s.on('gap', (g: TcpGap) => r.gaps.push(g));
      s.on('end', () => { r.ended = true; });
      return r;
    };
    conns.push({ conn, client: side(conn.fromClient), server: side(conn.fromServer) });
  });
  return { engine, conns };
}

t.test('a real transfer, rewritten', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  ns.exec('ip', ['link', 'set', 'lo', 'mtu', '1500']);
  try { ns.exec('ethtool', ['-K', 'lo', 'tso', 'off', 'gso', 'off', 'gro', 'off']); } catch { /* lo without these features */ }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nmp-tcp-'));
  if (!process.env.KEEP) t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'transfer.pcap');
  const cap = await tcpdumpIn(t, ns, 'lo', file, ['tcp', 'port', String(PORT)]);
  ns.exec(process.execPath, [path.join(__dirname, 'fixtures', 'flow', 'transfer.js'), String(PORT), '300000', '1000000', dir]);
  await cap.stop();
  const drops = /(\d+) packets dropped by kernel/.exec(await cap.stderr());
  t.equal(drops?.[1], '0', 'tcpdump dropped nothing');
  const sent = { client: readFileSync(path.join(dir, 'client.bin')), server: readFileSync(path.join(dir, 'server.bin')) };
  const original = readPackets(file);
  const dataPackets = original.filter((p) => (tcpFacts(p, PORT)?.payload ?? 0) > 0);
  t.ok(dataPackets.length > 500, `${original.length} packets, ${dataPackets.length} with data`);
  t.ok(Math.max(...dataPackets.map((p) => tcpFacts(p, PORT)!.payload)) <= 1460, 'segments are MSS-sized (no offload)');

  const run = async (name: string, pkts: Pkt[], options = {}): Promise<Seen[]> => {
    const f = path.join(dir, `${name}.pcap`);
    writePcap(f, pkts);
    const c = collector(options);
    await feedFile(c.engine, f);
    return c.conns;
  };
  const same = (t: Test, seen: Seen[], what: string): void => {
    t.equal(seen.length, 1, `${what}: one connection`);
    const s = seen[0];
    t.ok(Buffer.concat(s.client.bytes).equals(sent.client), `${what}: client bytes equal what was sent`);
    t.ok(Buffer.concat(s.server.bytes).equals(sent.server), `${what}: server bytes equal what was sent`);
    t.same([s.client.gaps, s.server.gaps], [[], []], `${what}: no gaps`);
    t.ok(s.client.ended && s.server.ended, `${what}: both directions ended`);
    t.equal(s.conn.closeReason, 'fin', `${what}: closed by FINs`);
  };

  t.test('as captured; window scaling applied; tshark follow agrees', async (t) => {
    const seen = await run('plain', original);
    same(t, seen, 'as captured');
    const c = seen[0].conn;
    t.equal(c.client.port !== PORT && c.server.port === PORT, true, 'client and server told apart');
    t.ok(c.fromClient.windowScale >= 0 && c.fromServer.windowScale >= 0, 'both SYNs offered window scaling');
    t.ok(c.fromServer.receiveWindow > 65535, `the client's scaled window (${c.fromServer.receiveWindow}) exceeds 16 bits`);
    t.equal(c.fromServer.stats().outOfWindow, 0);
    const follow = execFileSync('tshark', ['-r', file, '-q', '-z', 'follow,tcp,raw,0'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const lines = follow.split('\n').filter((l) => /^\t?[0-9a-f]+$/.test(l));
    const tClient = Buffer.from(lines.filter((l) => !l.startsWith('\t')).join(''), 'hex');
    const tServer = Buffer.from(lines.filter((l) => l.startsWith('\t')).map((l) => l.slice(1)).join(''), 'hex');
    t.ok(tClient.equals(Buffer.concat(seen[0].client.bytes)) && tServer.equals(Buffer.concat(seen[0].server.bytes)), 'equal to tshark -z follow,tcp,raw');
  });

  t.test('reordered (seeded shuffles in windows of 4..32)', async (t) => {
    for (const [seed, size] of [[1, 4], [2, 8], [3, 16], [4, 32]]) same(t, await run(`shuffle${seed}`, shuffleWindows(original, seed, size)), `seed ${seed}, window ${size}`);
  });

  t.test('duplicated and reordered', async (t) => {
    for (const seed of [5, 6]) {
      const seen = await run(`dup${seed}`, shuffleWindows(duplicate(original, seed, 0.1), seed, 8));
      same(t, seen, `seed ${seed}`);
      const st = seen[0].conn.fromServer.stats();
      t.ok(st.retransmittedBytes + st.overlapBytes > 0, `repeated bytes counted (${st.retransmittedBytes} + ${st.overlapBytes})`);
    }
  });

  t.test('sequence numbers across the 2^32 wrap', async (t) => {
    const moved = moveSequence(original, PORT, 0xffffffff - 100_000, 0xffffffff - 5000);
    same(t, await run('wrap', shuffleWindows(moved, 7, 8)), 'wrapped and reordered');
  });

  t.test('loss: what is left is delivered, the lost ranges are the gaps', async (t) => {
    const r = prng(8);
    const kept: Pkt[] = [];
    const lost = { client: [] as [number, number][], server: [] as [number, number][] };
    const base = { client: 0, server: 0 };
    original.forEach((p, i) => {
      const f = tcpFacts(p, PORT)!;
      if (f.flags & 2) base[f.fromClient ? 'client' : 'server'] = (f.seq + 1) >>> 0;
      // Never the last data segment of a direction: a loss there is found only at close (tested by hand below).
      if (f.payload > 0 && i > 3 && i < original.length - 30 && r() < 0.05) {
        const side = f.fromClient ? 'client' : 'server';
        lost[side].push([(f.seq - base[side]) >>> 0, f.payload]);
      } else kept.push(p);
    });
    const seen = await run('loss', kept);
    for (const side of ['client', 'server'] as const) {
      const s = seen[0][side];
      const expect: Buffer[] = [];
      let at = 0;
      const ranges = lost[side].sort((a, b) => a[0] - b[0]);
      // Adjacent losses make one gap.
      const merged: [number, number][] = [];
      for (const [o, n] of ranges) {
        const last = merged[merged.length - 1];
        if (last && last[0] + last[1] === o) last[1] += n; else merged.push([o, n]);
      }
      for (const [o, n] of merged) { expect.push(sent[side].subarray(at, o)); at = o + n; }
      expect.push(sent[side].subarray(at));
      t.ok(Buffer.concat(s.bytes).equals(Buffer.concat(expect)), `${side}: the bytes not lost, in order`);
      t.same(s.gaps.map((g) => [(g.seq - base[side]) >>> 0, g.length]), merged, `${side}: one gap per lost range`);
      t.ok(merged.length > 0, `${side}: ${merged.length} gaps`);
    }
  });

  t.test('picked up mid-stream: the bytes from the first segment seen on', async (t) => {
    const cut = original.slice(40);
    const first = { client: -1, server: -1 };
    const base = { client: 0, server: 0 };
    for (const p of original.slice(0, 3)) {
      const f = tcpFacts(p, PORT)!;
      if (f.flags & 2) base[f.fromClient ? 'client' : 'server'] = (f.seq + 1) >>> 0;
    }
    for (const p of cut) {
      const f = tcpFacts(p, PORT)!;
      const side = f.fromClient ? 'client' : 'server';
      if (first[side] < 0 && (f.payload > 0 || (f.flags & 1))) first[side] = (f.seq - base[side]) >>> 0;
    }
    const seen = await run('midstream', cut);
    t.equal(seen.length, 1);
    t.ok(seen[0].conn.midStream, 'marked mid-stream');
    for (const side of ['client', 'server'] as const) {
      if (first[side] < 0) continue;
      const got = Buffer.concat(seen[0][side].bytes);
      t.ok(got.equals(sent[side].subarray(first[side])), `${side}: from byte ${first[side]} on (${got.length} bytes, ${sent[side].length - first[side]} expected)`);
    }
  });
});

const C = '198.18.0.1';
const S = '198.18.0.2';
/** A hand-made segment pushed at `ms`. */
function pushSeg(engine: FlowEngine, ms: number, o: Parameters<typeof tcpSegment>[0]): void {
  const f = tcpSegment(o);
  engine.push(f, hdr(ms, f.length), 1);
}
const handshake = (e: FlowEngine, opts: { wscale?: number } = {}): void => {
  pushSeg(e, 0, { src: C, dst: S, sport: 40000, dport: 80, seq: 999, flags: 'S', wscale: opts.wscale });
  pushSeg(e, 1, { src: S, dst: C, sport: 80, dport: 40000, seq: 4999, ack: 1000, flags: 'SA', wscale: opts.wscale });
  pushSeg(e, 2, { src: C, dst: S, sport: 40000, dport: 80, seq: 1000, ack: 5000, flags: 'A' });
};
const data = (e: FlowEngine, ms: number, seq: number, text: string, flags = 'PA'): void =>
  pushSeg(e, ms, { src: C, dst: S, sport: 40000, dport: 80, seq, ack: 5000, flags, data: Buffer.from(text) });

t.test('overlap policy: first wins, in order and out of order', async (t) => {
  const c = collector();
  handshake(c.engine);
  data(c.engine, 3, 1000, 'abcd');
  data(c.engine, 4, 1002, 'XXyy'); // 'XX' repeats delivered 'cd' with other bytes: ignored
  data(c.engine, 5, 1010, 'kkkk'); // ahead: waits
  data(c.engine, 6, 1008, 'ZZZZ'); // 'ZZ' over the waiting 'kk': the waiting bytes win
  data(c.engine, 7, 1006, 'gh');
  const s = c.conns[0].client;
  t.equal(Buffer.concat(s.bytes).toString(), 'abcdyyghZZkkkk');
  const st = c.conns[0].conn.fromClient.stats();
  t.equal(st.retransmittedBytes, 2);
  t.equal(st.overlapBytes, 2);
  t.equal(c.conns[0].conn.state, 'established');
});

t.test('FIN ends a direction only when the bytes before it are in; RST closes both', async (t) => {
  const c = collector();
  handshake(c.engine);
  data(c.engine, 3, 1005, 'world', 'FA');
  t.notOk(c.conns[0].client.ended, 'FIN waits for the hole');
  data(c.engine, 4, 1000, 'hello');
  t.ok(c.conns[0].client.ended);
  t.equal(Buffer.concat(c.conns[0].client.bytes).toString(), 'helloworld');
  const r = collector();
  handshake(r.engine);
  data(r.engine, 3, 1000, 'ab');
  data(r.engine, 4, 1010, 'zz');
  let resetBy = '';
  r.conns[0].conn.on('reset', (by: string) => { resetBy = by; });
  pushSeg(r.engine, 5, { src: S, dst: C, sport: 80, dport: 40000, seq: 5000, flags: 'R' });
  t.equal(resetBy, 'server');
  t.equal(r.conns[0].conn.closeReason, 'reset');
  t.same(r.conns[0].client.gaps, [{ seq: 1002, length: 8, reason: 'close' }], 'the hole at close is a gap');
  t.equal(Buffer.concat(r.conns[0].client.bytes).toString(), 'abzz');
  t.ok(r.conns[0].client.ended && r.conns[0].server.ended);
  // A new SYN on the same tuple after the RST is a new connection.
  handshake(r.engine);
  t.equal(r.conns.length, 2);
});

t.test('bounds: per-stream and total buffering, connection count, idle and gap timeouts', async (t) => {
  const c = collector({ tcp: { maxBufferedBytes: 1000 } });
  handshake(c.engine);
  for (let i = 0; i < 10; i++) data(c.engine, 3 + i, 1100 + i * 200, 'x'.repeat(200));
  const st = c.conns[0].conn.fromClient.stats();
  t.ok(st.buffered <= 1000, `buffered ${st.buffered} <= 1000`);
  t.equal(c.conns[0].client.gaps[0].reason, 'memory');
  t.equal(c.conns[0].client.gaps[0].length, 100);

  const total = collector({ tcp: { maxTotalBufferedBytes: 3000 } });
  for (let k = 0; k < 5; k++) {
    pushSeg(total.engine, k, { src: C, dst: S, sport: 41000 + k, dport: 80, seq: 0, flags: 'S' });
    pushSeg(total.engine, k, { src: C, dst: S, sport: 41000 + k, dport: 80, seq: 500, ack: 1, flags: 'PA', data: Buffer.alloc(1000) });
  }
  t.ok(total.engine.tcp!.stats().bufferedBytes <= 3000, `total ${total.engine.tcp!.stats().bufferedBytes} <= 3000`);
  t.equal(total.conns[0].client.gaps[0]?.reason, 'memory', 'the least recently active gave up its hole');

  const many = collector({ tcp: { maxConnections: 3 } });
  for (let k = 0; k < 6; k++) pushSeg(many.engine, k, { src: C, dst: S, sport: 42000 + k, dport: 80, seq: 0, flags: 'S' });
  t.equal(many.engine.tcp!.stats().connections, 3);
  t.same(many.conns.slice(0, 3).map((s) => s.conn.closeReason), ['evicted', 'evicted', 'evicted']);

  const idle = collector({ tcp: { idleTimeoutMs: 60_000, gapTimeoutMs: 5000 } });
  handshake(idle.engine);
  data(idle.engine, 10, 1010, 'later');
  pushSeg(idle.engine, 6000, { src: S, dst: C, sport: 80, dport: 40000, seq: 5000, ack: 1000, flags: 'A' });
  t.same(idle.conns[0].client.gaps, [{ seq: 1000, length: 10, reason: 'timeout' }], 'a hole older than gapTimeoutMs');
  t.equal(Buffer.concat(idle.conns[0].client.bytes).toString(), 'later');
  pushSeg(idle.engine, 70_000, { src: C, dst: S, sport: 43000, dport: 80, seq: 0, flags: 'S' });
  t.equal(idle.conns[0].conn.closeReason, 'timeout', 'idle past idleTimeoutMs (packet time)');
});

t.test('out-of-window segments are dropped once both SYNs gave the window', async (t) => {
  const c = collector();
  handshake(c.engine, { wscale: 0 });
  pushSeg(c.engine, 3, { src: S, dst: C, sport: 80, dport: 40000, seq: 5000, ack: 1000, flags: 'A', window: 1000 });
  data(c.engine, 4, 1000 + 500_000, 'far');
  t.equal(c.conns[0].conn.fromClient.stats().outOfWindow, 1);
  data(c.engine, 5, 1000 + 60_000, 'near');
  t.equal(c.conns[0].conn.fromClient.stats().outOfWindow, 1, 'within twice the window (at least 64 KiB) past the ACK: held');
  t.equal(c.conns[0].conn.fromClient.buffered, 4, "only 'near' waits");
});

t.test('a Readable and an async iterator per direction; the slow-reader policy', async (t) => {
  const c = collector();
  let readable: NodeJS.ReadableStream | undefined;
  const chunks: Buffer[] = [];
  let iterated: Promise<void> | undefined;
  c.engine.tcp!.on('connection', (conn: TcpConnection) => {
    readable = conn.fromClient.readable();
    iterated = (async () => { for await (const b of conn.fromServer) chunks.push(b as Buffer); })();
  });
  handshake(c.engine);
  data(c.engine, 3, 1000, 'hello ');
  data(c.engine, 4, 1006, 'world', 'FA');
  pushSeg(c.engine, 5, { src: S, dst: C, sport: 80, dport: 40000, seq: 5000, ack: 1012, flags: 'FPA', data: Buffer.from('reply') });
  let text = '';
  for await (const b of readable!) text += b;
  t.equal(text, 'hello world');
  await iterated;
  t.equal(Buffer.concat(chunks).toString(), 'reply');

  const slow = collector();
  let r: ReturnType<TcpConnection['fromClient']['readable']> | undefined;
  let dropped: ReturnType<TcpConnection['fromClient']['readable']> | undefined;
  slow.engine.tcp!.on('connection', (conn: TcpConnection) => {
    r = conn.fromClient.readable({ maxUnreadBytes: 1000 });
    dropped = conn.fromServer.readable({ maxUnreadBytes: 1000, overflow: 'drop' });
  });
  handshake(slow.engine);
  const err = new Promise<Error>((resolve) => r!.on('error', resolve));
  for (let i = 0; i < 5; i++) data(slow.engine, 3 + i, 1000 + i * 400, 'y'.repeat(400));
  for (let i = 0; i < 5; i++) pushSeg(slow.engine, 3 + i, { src: S, dst: C, sport: 80, dport: 40000, seq: 5000 + i * 400, ack: 1000, flags: 'PA', data: Buffer.alloc(400, 'z') });
  t.match(await err, { code: 'ENOMEM' }, "'destroy': the Readable errors with ENOMEM");
  t.equal(dropped!.readableLength, 800, "'drop': the reader keeps what fit");
  t.same(slow.conns[0].server.gaps.filter((g) => g.reason === 'reader').map((g) => g.length), [400, 400, 400], "'drop': what did not fit is a 'reader' gap");
});
