/**
 * compat/pcap's TCPTracker on the flow layer's reassembler (npm pcap issue
 * #162): a real transfer (300 kB up, 1 MB down over 198.18.0.1 on lo in a
 * netns, MTU 1500, offloads off, captured by tcpdump) is rewritten —
 * seeded reordering, duplicates, lost segments, sequence numbers across
 * 2^32 — and read back through compat/pcap's own offline session and
 * decoder, as an npm pcap program would. 'data send' / 'data recv' must
 * equal the bytes each side sent (with loss: all but the lost ranges,
 * which are the 'gap's), 'end' last, once. npm pcap 3.1.0's own tracker on
 * the same reordered file does not reassemble (the bug being fixed).
 * Hand-made segments cover RST, mid-stream pick-up, reuse of a port pair,
 * endWaitMs and flush().
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import * as pcap from '../compat/pcap/pcap';
import { TCPTracker, type TCPSession, type TCPTrackerOptions } from '../compat/pcap/tcp_tracker';
import { prng, type Pkt } from './fixtures/savefile/util';
import { duplicate, moveSequence, readPackets, shuffleWindows, tcpFacts, writePcap } from './fixtures/flow/rewrite';
import { tcpSegment } from './fixtures/flow/tcp';
import { tcpdumpIn } from './helpers/flows';
import { Netns, requireRoot } from './helpers/netns';
import { npmPcapDir, quietly } from './helpers/npm-pcap';

const PORT = 8080;
const HOST = '198.18.0.1';

interface Seen {
  src: string | null; dst: string | null; send: Buffer[]; recv: Buffer[]; events: string[];
  gaps: { side: string; seq: number; length: number; reason: string }[]; state: string | null; stats?: ReturnType<TCPSession['session_stats']>;
}

/** A tracker (ours, or any with npm pcap's API) recording every session. */
function record(tracker: { on(e: 'session', f: (s: TCPSession) => void): unknown }): Seen[] {
  const seen: Seen[] = [];
  tracker.on('session', (s) => {
    const r: Seen = { src: s.src, dst: s.dst, send: [], recv: [], events: [], gaps: [], state: null };
    seen.push(r);
    s.on('start', () => r.events.push('start'));
    s.on('data send', (_s: unknown, d: Buffer) => { r.send.push(Buffer.from(d)); if (r.events.at(-1) !== 'data') r.events.push('data'); });
    s.on('data recv', (_s: unknown, d: Buffer) => { r.recv.push(Buffer.from(d)); if (r.events.at(-1) !== 'data') r.events.push('data'); });
    s.on('gap', (_s: unknown, side: string, g: { seq: number; length: number; reason: string }) => r.gaps.push({ side, ...g }));
    s.on('reset', (_s: unknown, side: string) => r.events.push(`reset ${side}`));
    s.on('end', () => { r.events.push('end'); r.state = s.state; r.stats = s.session_stats(); });
  });
  return seen;
}

/** Read a savefile through compat/pcap's offline session and decoder, into a tracker. */
function readThrough(file: string, tracker: TCPTracker, decode = pcap.decode): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = pcap.createOfflineSession(file);
    s.on('packet', (raw: pcap.PacketWithHeader) => tracker.track_packet(decode.packet(raw) as never));
    s.on('error', reject);
    s.on('complete', () => resolve());
  });
}

t.test('a real transfer, rewritten, through compat/pcap', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  ns.exec('ip', ['link', 'set', 'lo', 'mtu', '1500']);
  ns.exec('ip', ['addr', 'add', `${HOST}/32`, 'dev', 'lo']);
  try { ns.exec('ethtool', ['-K', 'lo', 'tso', 'off', 'gso', 'off', 'gro', 'off']); } catch { /* lo without these features */ }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nmp-tracker-'));
  if (!process.env.KEEP) t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'transfer.pcap');
  const cap = await tcpdumpIn(t, ns, 'lo', file, ['tcp', 'port', String(PORT)]);
  ns.exec(process.execPath, [path.join(__dirname, 'fixtures', 'flow', 'transfer.js'), String(PORT), '300000', '1000000', dir, HOST]);
  await cap.stop();
  t.equal(/(\d+) packets dropped by kernel/.exec(await cap.stderr())?.[1], '0', 'tcpdump dropped nothing');
  const sent = { send: readFileSync(path.join(dir, 'client.bin')), recv: readFileSync(path.join(dir, 'server.bin')) };
  const original = readPackets(file);
  const data = original.filter((p) => (tcpFacts(p, PORT)?.payload ?? 0) > 0);
  t.ok(data.length > 500 && Math.max(...data.map((p) => tcpFacts(p, PORT)!.payload)) <= 1460, `${data.length} MSS-sized data segments`);

  const run = async (name: string, pkts: Pkt[], options: TCPTrackerOptions = {}): Promise<Seen[]> => {
    const f = path.join(dir, `${name}.pcap`);
    writePcap(f, pkts);
    const tracker = new TCPTracker(options);
    const seen = record(tracker);
    await readThrough(f, tracker);
    tracker.flush();
    return seen;
  };
  const same = (t: Test, seen: Seen[], what: string): void => {
    t.equal(seen.length, 1, `${what}: one session`);
    const s = seen[0];
    t.match(s.src, new RegExp(`^${HOST.replace(/\./g, '\\.')}:\\d+$`), `${what}: the client is 'send'`);
    t.ok(Buffer.concat(s.send).equals(sent.send), `${what}: 'data send' is the client's bytes`);
    t.ok(Buffer.concat(s.recv).equals(sent.recv), `${what}: 'data recv' is the server's bytes`);
    t.same(s.gaps, [], `${what}: no gaps`);
    t.same(s.events, ['start', 'data', 'end'], `${what}: 'start', then the data, then 'end' once`);
    t.equal(s.state, 'CLOSED', `${what}: CLOSED at 'end'`);
  };

  t.test('as captured', async (t) => {
    const seen = await run('plain', original);
    same(t, seen, 'as captured');
    t.ok(Object.keys(seen[0].stats!.send_retrans).length > 0 || seen[0].stats!.send_payload === sent.send.length, 'session_stats: send_payload');
    // npm pcap's counters count retransmitted payload again (lo rarely retransmits, but may under load).
    const st = seen[0].stats!;
    const retransmitted = Object.keys(st.recv_retrans).length > 0;
    t.ok(retransmitted ? st.recv_payload > sent.recv.length : st.recv_payload === sent.recv.length,
      `session_stats: recv_payload ${st.recv_payload} for ${sent.recv.length} bytes sent, counted after the client's FIN too (retransmissions: ${JSON.stringify(st.recv_retrans)})`);
  });

  t.test('reordered (seeded shuffles in windows of 4..32), duplicated, across 2^32', async (t) => {
    for (const [seed, size] of [[1, 4], [2, 8], [3, 16], [4, 32]]) same(t, await run(`shuffle${seed}`, shuffleWindows(original, seed, size)), `seed ${seed}, window ${size}`);
    for (const seed of [5, 6]) same(t, await run(`dup${seed}`, shuffleWindows(duplicate(original, seed, 0.1), seed, 8)), `duplicated, seed ${seed}`);
    same(t, await run('wrap', shuffleWindows(moveSequence(original, PORT, 0xffffffff - 100_000, 0xffffffff - 5000), 7, 8)), 'wrapped and reordered');
  });

  t.test('loss: the rest delivered in order, the lost ranges reported as gaps', async (t) => {
    const r = prng(8);
    const kept: Pkt[] = [];
    const lost: Record<'send' | 'recv', [number, number][]> = { send: [], recv: [] };
    const base = { send: 0, recv: 0 };
    original.forEach((p, i) => {
      const f = tcpFacts(p, PORT)!;
      const side = f.fromClient ? 'send' : 'recv';
      if (f.flags & 2) base[side] = (f.seq + 1) >>> 0;
      if (f.payload > 0 && i > 3 && r() < 0.05) lost[side].push([(f.seq - base[side]) >>> 0, f.payload]);
      else kept.push(p);
    });
    t.ok(lost.send.length > 0 && lost.recv.length > 0, `${lost.send.length} + ${lost.recv.length} segments lost`);
    const seen = await run('loss', shuffleWindows(kept, 9, 8));
    t.equal(seen.length, 1);
    for (const side of ['send', 'recv'] as const) {
      const merged: [number, number][] = [];
      for (const [o, n] of lost[side].sort((a, b) => a[0] - b[0])) {
        const last = merged.at(-1);
        if (last && last[0] + last[1] === o) last[1] += n; else merged.push([o, n]);
      }
      let at = 0;
      const expect: Buffer[] = [];
      for (const [o, n] of merged) { expect.push(sent[side].subarray(at, o)); at = o + n; }
      expect.push(sent[side].subarray(at));
      t.ok(Buffer.concat(seen[0][side]).equals(Buffer.concat(expect)), `${side}: every byte not lost, in order`);
      const gaps = seen[0].gaps.filter((g) => g.side === side).map((g) => [(g.seq - base[side]) >>> 0, g.length]);
      t.same(gaps, merged, `${side}: one gap per lost range, where it was`);
    }
    t.equal(seen[0].events.at(-1), 'end', "'end' comes, after the data");
  });

  t.test("npm pcap 3.1.0's own tracker on the reordered file: not reassembled (its issue #162)", async (t) => {
    const theirDir = npmPcapDir(t);
    if (!theirDir) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const theirs = require(path.join(theirDir, 'tcp_tracker.js')) as { TCPTracker: new () => TCPTracker };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const theirDecode = (require(path.join(theirDir, 'decode')) as { decode: typeof pcap.decode }).decode;
    const f = path.join(dir, 'theirs.pcap');
    writePcap(f, shuffleWindows(original, 2, 8));
    const tracker = new theirs.TCPTracker();
    const seen = record(tracker);
    await quietly(() => readThrough(f, tracker, theirDecode));
    t.equal(seen.length, 1);
    t.notOk(Buffer.concat(seen[0].recv).equals(sent.recv), "npm pcap's 'data recv' is not the server's bytes in order");
  });
});

/** Hand-made segments through the tracker, as decoded packets. */
function feed(tracker: TCPTracker, segs: Parameters<typeof tcpSegment>[0][], startMs = 1_700_000_000_000, stepMs = 1): void {
  segs.forEach((s, i) => {
    const frame = tcpSegment(s);
    const ms = startMs + i * stepMs;
    const header = Buffer.alloc(16);
    header.writeUInt32LE(Math.floor(ms / 1000), 0);
    header.writeUInt32LE((ms % 1000) * 1000, 4);
    header.writeUInt32LE(frame.length, 8);
    header.writeUInt32LE(frame.length, 12);
    tracker.track_packet(pcap.decode.packet({ buf: frame, header, link_type: 'LINKTYPE_ETHERNET' }) as never);
  });
}

const C = { src: '198.18.0.1', dst: '198.18.0.2', sport: 40000, dport: 80 };
const S = { src: '198.18.0.2', dst: '198.18.0.1', sport: 80, dport: 40000 };
const bytes = (s: string): Buffer => Buffer.from(s);

t.test('hand-made: reordering, retransmission, a FIN that overtakes data', async (t) => {
  const tracker = new TCPTracker();
  const seen = record(tracker);
  const retrans: string[] = [];
  tracker.on('session', (s) => s.on('retransmit', (_s: unknown, side: string) => retrans.push(side)));
  feed(tracker, [
    { ...C, seq: 100, flags: 'S' },
    { ...S, seq: 500, ack: 101, flags: 'SA' },
    { ...C, seq: 101, ack: 501, flags: 'A' },
    { ...C, seq: 106, ack: 501, flags: 'PA', data: bytes('world') },
    { ...C, seq: 111, ack: 501, flags: 'FA' }, // the FIN before the first bytes
    { ...C, seq: 101, ack: 501, flags: 'PA', data: bytes('hello') },
    { ...C, seq: 101, ack: 501, flags: 'PA', data: bytes('hello') }, // a retransmission
    { ...S, seq: 501, ack: 112, flags: 'PA', data: bytes('ok') },
    { ...S, seq: 503, ack: 112, flags: 'FA' },
    { ...C, seq: 112, ack: 504, flags: 'A' },
  ]);
  t.equal(seen.length, 1);
  t.equal(Buffer.concat(seen[0].send).toString(), 'helloworld', 'in order, once');
  t.equal(Buffer.concat(seen[0].recv).toString(), 'ok');
  t.same(seen[0].events, ['start', 'data', 'end']);
  t.same(retrans, ['send'], "the retransmission is still npm pcap's 'retransmit'");
  t.equal(seen[0].state, 'CLOSED');
});

t.test('hand-made: RST after data, mid-stream pick-up, reuse of the port pair', async (t) => {
  const tracker = new TCPTracker();
  const seen = record(tracker);
  feed(tracker, [
    { ...S, seq: 900, ack: 200, flags: 'PA', data: bytes('mid') }, // joined mid-stream: the server spoke first
    { ...C, seq: 200, ack: 903, flags: 'PA', data: bytes('x') },
    { ...C, seq: 201, ack: 903, flags: 'RA' },
    { ...C, seq: 5000, flags: 'S' }, // the same ports again: a new session
    { ...S, seq: 7000, ack: 5001, flags: 'SA' },
    { ...C, seq: 5001, ack: 7001, flags: 'A' },
    { ...C, seq: 5001, ack: 7001, flags: 'PA', data: bytes('again') },
  ]);
  t.equal(seen.length, 2, 'two sessions');
  t.equal(seen[0].src, '198.18.0.2:80', "npm pcap's rule: 'send' is the sender of the first packet seen");
  t.equal(Buffer.concat(seen[0].send).toString(), 'mid', 'the first packet\'s bytes are delivered too');
  t.equal(Buffer.concat(seen[0].recv).toString(), 'x');
  t.same(seen[0].events, ['data', 'reset recv'], "a RST in ESTAB: 'reset', by the side that sent it, after the data");
  t.equal(Buffer.concat(seen[1].send).toString(), 'again');
  t.same(seen[1].events, ['start', 'data']);
});

t.test('hand-made: a lost segment before the close; endWaitMs, flush()', async (t) => {
  const close = (lossAt: number): Parameters<typeof tcpSegment>[0][] => [
    { ...C, seq: lossAt, flags: 'S' },
    { ...S, seq: 10, ack: lossAt + 1, flags: 'SA' },
    { ...C, seq: lossAt + 1, ack: 11, flags: 'A' },
    // bytes lossAt+1 .. lossAt+4 never captured
    { ...C, seq: lossAt + 5, ack: 11, flags: 'PA', data: bytes('tail') },
    { ...C, seq: lossAt + 9, ack: 11, flags: 'FA' },
    { ...S, seq: 11, ack: lossAt + 10, flags: 'FA' },
    { ...C, seq: lossAt + 10, ack: 12, flags: 'A' },
  ];
  const a = new TCPTracker({ endWaitMs: 50 });
  const seenA = record(a);
  feed(a, close(1000), 1_700_000_000_000, 10);
  t.same(seenA[0].events, ['start'], "not 'end' yet: bytes are missing");
  // Packets of another connection move packet time on past endWaitMs.
  feed(a, [{ ...C, sport: 40001, seq: 1, flags: 'S' }, { ...C, sport: 40001, seq: 1, flags: 'S' }], 1_700_000_000_200);
  t.same(seenA[0].events, ['start', 'data', 'end'], "endWaitMs later: the rest, then 'end'");
  t.same(seenA[0].gaps, [{ side: 'send', seq: 1001, length: 4, reason: 'close' }], 'the missing bytes are a gap');
  t.equal(Buffer.concat(seenA[0].send).toString(), 'tail');

  const b = new TCPTracker();
  const seenB = record(b);
  feed(b, close(2000));
  t.same(seenB[0].events, ['start']);
  b.flush();
  t.same(seenB[0].events, ['start', 'data', 'end'], "flush(): the input ended, 'end' with the gap");
  t.equal(seenB[0].gaps.length, 1);
  t.throws(() => new TCPTracker({ endWaitMs: -1 }), { code: 'EINVAL' });
});
