/**
 * The Dumper: targets (path, '-', Writable), batching into chunks, flush and
 * close semantics, argument checks, and what it writes for edge values.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { PcapError } from '../lib/errors';
import { Dumper } from '../lib/savefile/dumper';
import { makePackets, readAll } from './fixtures/savefile/util';
import { repoRoot, tsNodeArgs } from './helpers/child';

const dir = mkdtempSync(path.join(tmpdir(), 'savefile-dumper-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const packets = makePackets(200, 4);

/** A Writable that records each chunk it is handed, and can be told to fail. */
class Sink extends Writable {
  chunks: Buffer[] = [];
  fail = false;
  override _write(chunk: Buffer, _enc: string, cb: (e?: Error | null) => void): void {
    if (this.fail) { cb(new Error('disk full')); return; }
    this.chunks.push(Buffer.from(chunk));
    setImmediate(cb); // complete later, like a real device
  }
}

t.test('file target: flush() puts every packet on disk, close() is idempotent', async (t) => {
  const file = path.join(dir, 'flush.pcap');
  const d = new Dumper(file, { format: 'pcap', linktype: 1 });
  packets.slice(0, 10).forEach((p) => d.dump(p.data, p));
  t.equal(readFileSync(file).length, 0, 'buffered: nothing written yet');
  await d.flush();
  t.equal(readAll(readFileSync(file)).packets.length, 10, 'after flush: 10 packets on disk');
  packets.slice(10).forEach((p) => d.dump(p.data, p));
  d.flushSync();
  t.equal(readAll(readFileSync(file)).packets.length, 200, 'flushSync too');
  await Promise.all([d.close(), d.close()]);
  await d.close();
  t.equal(d.isClosed, true);
  t.throws(() => d.dump(packets[0].data, packets[0]), { code: 'ECLOSED' });
});

t.test('stream target: one write per chunk, flush waits for the callback', async (t) => {
  for (const format of ['pcap', 'pcapng'] as const) {
    const s = new Sink();
    const d = new Dumper(s, { format, nanosecond: true, linktype: 1, chunkSize: 16 * 1024 });
    for (const p of packets) d.dump(p.data, p);
    const total = packets.reduce((a, p) => a + p.data.length, 0);
    await d.flush();
    const bytes = Buffer.concat(s.chunks);
    t.ok(s.chunks.length <= Math.ceil(bytes.length / (16 * 1024 - 9100)) + 1,
      `${format}: ${s.chunks.length} writes for ${bytes.length} bytes (chunks of ≤ 16 KiB)`);
    t.ok(bytes.length > total, 'all bytes written before flush resolved');
    const r = readAll(bytes);
    t.equal(r.error, null);
    t.ok(r.packets.length === packets.length && r.packets.every((p, i) => p.data.equals(packets[i].data) &&
      p.tsNsec === packets[i].tsNsec && p.len === packets[i].len), `${format}: round trip byte-exact`);
    await d.close();
    t.equal(s.writableEnded, false, 'close() leaves the caller\'s stream open');
  }
});

t.test('stream errors surface as EIO', async (t) => {
  const s = new Sink();
  s.on('error', () => {}); // the stream's own listeners are the caller's business
  const d = new Dumper(s, { linktype: 1 });
  s.fail = true;
  d.dump(packets[0].data, packets[0]);
  await t.rejects(d.flush(), { code: 'EIO' });
  await t.rejects(d.close(), { code: 'EIO' });
});

t.test("'-' writes to standard output", async (t) => {
  for (const [format, nano] of [['pcap', '0'], ['pcapng', '1']]) {
    const r = spawnSync(process.execPath, [...tsNodeArgs(), path.join(__dirname, 'fixtures', 'savefile', 'stdout-dump.ts'),
      format, nano, '50'], { cwd: repoRoot, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' }, maxBuffer: 1 << 26 });
    t.equal(r.status, 0, String(r.stderr));
    const got = readAll(r.stdout);
    t.equal(got.error, null);
    t.equal(got.parser?.format, format);
    t.equal(got.packets.length, 50, `${format}: 50 packets through stdout`);
  }
});

t.test('argument checks', async (t) => {
  const file = path.join(dir, 'args.pcap');
  t.throws(() => new Dumper(file, { linktype: -1 }), { code: 'EINVAL' });
  t.throws(() => new Dumper(file, { linktype: 70000, format: 'pcapng' }), { code: 'EINVAL' });
  t.throws(() => new Dumper(file, { linktype: 1, format: 'pcapx' as 'pcap' }), { code: 'EINVAL' });
  t.throws(() => new Dumper(file, { linktype: 1, snaplen: 0 }), { code: 'EINVAL' });
  t.throws(() => new Dumper(path.join(dir, 'no', 'such', 'dir.pcap'), { linktype: 1 }), PcapError);
  const d = new Dumper(file, { linktype: 1 });
  t.throws(() => d.dump(Buffer.alloc(10), { tsSec: 1, tsNsec: 0, len: 10, caplen: 11 }), { code: 'EINVAL' });
  t.throws(() => d.dump(Buffer.alloc(10), { tsSec: -1, tsNsec: 0, len: 10 }), { code: 'EINVAL' });
  t.throws(() => d.dump(Buffer.alloc(10), { tsSec: 2 ** 32, tsNsec: 0, len: 10 }), { code: 'EINVAL', message: /pcapng/ });
  await d.close();
});

t.test('edge values', async (t) => {
  const file = path.join(dir, 'edge.pcapng');
  const d = new Dumper(file, { format: 'pcapng', nanosecond: true, linktype: 147, snaplen: 100 });
  d.dump(Buffer.alloc(300, 1), { tsSec: 5, tsNsec: 2_000_000_001, len: 300 }); // cut to 100; ns carried
  d.dump(Buffer.alloc(3, 2), { tsSec: 2 ** 33 + 7, tsNsec: 999_999_999, len: 3 }); // past 2106: pcapng only
  d.dump(Buffer.alloc(0), { tsSec: 0, tsNsec: 0, len: 0 });
  d.dump(Buffer.alloc(50, 3), { tsSec: 1, tsNsec: 1, len: 60, caplen: 20 });
  await d.close();
  const r = readAll(readFileSync(file));
  t.equal(r.error, null);
  t.equal(r.parser?.linktype, 147);
  t.same(r.packets.map((p) => [p.tsSec, p.tsNsec, p.caplen, p.len]), [
    [7, 1, 100, 300], [2 ** 33 + 7, 999_999_999, 3, 3], [0, 0, 0, 0], [1, 1, 20, 60],
  ]);
  // A record bigger than a chunk still goes out whole.
  const s = new Sink();
  const big = new Dumper(s, { linktype: 1, chunkSize: 4096 });
  big.dump(Buffer.alloc(200_000, 9), { tsSec: 1, tsNsec: 0, len: 200_000 });
  await big.close();
  const rb = readAll(Buffer.concat(s.chunks));
  t.same([rb.error, rb.packets[0]?.caplen], [null, 200_000]);
});
