// Offline sessions: savefiles through the same API as live capture.
import t, { Test } from 'tap';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { dumpOpen, openDead, openOffline, PcapError, Packet } from '../index';
import { makePackets, GenPkt } from './fixtures/savefile/util';
import { tsNodeArgs } from './helpers/child';

const dir = mkdtempSync(join(tmpdir(), 'nmp-offline-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const packets = makePackets(3000, 7);

async function write(name: string, pkts: GenPkt[], format: 'pcap' | 'pcapng', nanosecond: boolean,
                     linktype = 1): Promise<string> {
  const path = join(dir, name);
  const d = dumpOpen(openDead(linktype, 65535), path, { format, nanosecond });
  for (const p of pkts) d.dump(p.data, { tsSec: p.tsSec, tsNsec: p.tsNsec, len: p.len });
  await d.close();
  return path;
}

function expectSame(t: Test, got: Packet[], want: GenPkt[], nanosecond: boolean): void {
  t.equal(got.length, want.length, 'every packet');
  const bad = got.findIndex((g, i) => !g.data.equals(want[i].data) || g.len !== want[i].len ||
    g.tsSec !== want[i].tsSec ||
    g.tsNsec !== (nanosecond ? want[i].tsNsec : Math.floor(want[i].tsNsec / 1000) * 1000));
  t.equal(bad, -1, 'bytes, lengths and timestamps equal');
}

for (const [format, nanosecond] of [['pcap', false], ['pcap', true], ['pcapng', true]] as const) {
  t.test(`${format}${nanosecond ? ' ns' : ''}: loop, iterator, next, events`, async (t) => {
    const path = await write(`a-${format}-${nanosecond}.${format}`, packets, format, nanosecond);
    const s1 = await openOffline(path);
    t.equal(s1.format, format);
    t.equal(s1.nanosecond, nanosecond);
    t.equal(s1.datalink(), 1);
    const looped: Packet[] = [];
    const n = await s1.loop(0, (data, h) => { looped.push({ data: Buffer.from(data), ...h, linktype: 1, owned: true }); });
    t.equal(n, packets.length, 'loop resolves at the end with the count');
    expectSame(t, looped, packets, nanosecond);
    t.equal(s1.stats().recv, packets.length);
    t.equal(await s1.next(), null, 'next() after the end: null');
    s1.close();

    const s2 = await openOffline(path);
    const iterated: Packet[] = [];
    for await (const p of s2.packets({ copy: true })) iterated.push(p);
    expectSame(t, iterated, packets, nanosecond);

    const s3 = await openOffline(path, { ringSlots: 64 }); // many batches
    let events = 0;
    await new Promise<void>((resolve) => {
      s3.on('packet', () => { events++; });
      s3.on('end', resolve);
    });
    t.equal(events, packets.length, "'packet' events, then 'end'");
    s3.close();
  });
}

t.test('a Readable and stdin', async (t) => {
  const path = await write('b.pcap', packets, 'pcap', true);
  const s = await openOffline(createReadStream(path, { highWaterMark: 1000 }));
  let n = 0;
  await s.loop(0, () => { n++; });
  t.equal(n, packets.length, 'a Readable in small chunks');
  const r = spawnSync(process.execPath, [...tsNodeArgs(), join(__dirname, 'fixtures', 'offline-stdin.ts'), 'greater 1000'],
    { input: readFileSync(path), encoding: 'utf8', timeout: 60_000 });
  const out = JSON.parse(r.stdout.trim().split('\n').pop() || '{}');
  t.equal(out.n, packets.filter((p) => p.len >= 1000).length, "'-' reads stdin, with a filter");
  t.equal(out.linktype, 1);
});

t.test('filters: setFilter, and per interface in pcapng files', async (t) => {
  const path = await write('c.pcap', packets, 'pcap', false);
  const s = await openOffline(path, { filter: 'greater 1000' });
  let n = 0;
  await s.loop(0, () => { n++; });
  t.equal(n, packets.filter((p) => p.len >= 1000).length);
  t.throws(() => s.setFilter('nonsense and'), { code: 'EFILTER' });
  const s2 = await openOffline(path);
  s2.setFilter('less 200');
  let m = 0;
  await s2.loop(0, () => { m++; });
  t.equal(m, packets.filter((p) => p.len <= 200).length);
});

t.test('a truncated file: every whole packet, then ETRUNC', async (t) => {
  const path = await write('d.pcap', packets.slice(0, 100), 'pcap', false);
  const whole = readFileSync(path);
  const cut = join(dir, 'd-cut.pcap');
  writeFileSync(cut, whole.subarray(0, whole.length - 10));
  const s = await openOffline(cut);
  let n = 0;
  const err = await s.loop(0, () => { n++; }).then(() => null, (e: PcapError) => e);
  t.equal(n, 99, 'the complete packets first');
  t.equal(err?.code, 'ETRUNC');
  t.match(err?.message, /\d+/, 'the message names the offset');
  // docs/shapes.md §5: a fatal error ends the session.
  t.equal(s.closed, true, 'the session ended');
  t.equal(s.error, err, 'session.error is the error');
  t.same(s.stats(), { recv: 99, drop: 0, ifdrop: 0 }, 'stats() answers with the last counters');
  const after = (() => { try { s.dispatch(1, () => {}); return null; } catch (e) { return e as PcapError; } })();
  t.equal(after?.code, 'ECLOSED', 'later calls throw ECLOSED');
  t.equal(after?.cause, err, '... with the fatal error as cause');
  t.doesNotThrow(() => s.close(), 'close() stays idempotent');
  const s3 = await openOffline(cut, { ringSlots: 16 });
  const seen = await new Promise<string[]>((resolve) => {
    const events: string[] = [];
    let k = 0;
    s3.on('packet', () => { k++; });
    s3.on('error', (e: PcapError) => { events.push(`${k} packets`, `error ${e.code}`, `closed ${s3.closed}`); });
    s3.on('end', () => events.push('end'));
    s3.on('close', () => { events.push('close'); resolve(events); });
  });
  t.same(seen, ['99 packets', 'error ETRUNC', 'closed true', 'close'], "events: packets, 'error' ETRUNC, then 'close'");
  const s2 = await openOffline(cut);
  let m = 0;
  await t.rejects((async () => { for await (const _ of s2) m++; })(), { code: 'ETRUNC' });
  t.equal(m, 99, 'the iterator too');
});

t.test('bad files and paths', async (t) => {
  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, '');
  await t.rejects(openOffline(empty), { code: 'EBADFILE' }, 'zero-length');
  const junk = join(dir, 'junk.pcap');
  writeFileSync(junk, Buffer.alloc(100, 0x41));
  await t.rejects(openOffline(junk), { code: 'EBADFILE', message: /magic|offset/ }, 'unknown magic');
  await t.rejects(openOffline(join(dir, 'missing.pcap')), { code: 'ENOENT' });
  await t.rejects(openOffline(''), { code: 'EINVAL' });
});

t.test('close during loop; use after close', async (t) => {
  const path = await write('e.pcap', packets, 'pcap', false);
  const s = await openOffline(path);
  let n = 0;
  const kept: Buffer[] = [];
  const done = await s.loop(0, (data) => { kept.push(data); if (++n === 10) s.close(); });
  t.equal(done, 10);
  t.throws(() => s.dispatch(1, () => {}), { code: 'ECLOSED' });
  t.throws(() => s.stats(), { code: 'ECLOSED' });
  s.close();
});

t.test('constant memory: a 300 MB file', async (t) => {
  const big = join(dir, 'big.pcap');
  const d = dumpOpen(openDead(1, 65535), big);
  const frame = Buffer.alloc(1514, 0x5a);
  for (let i = 0; i < 200_000; i++) d.dump(frame, { tsSec: i, tsNsec: 0, len: 1514 });
  await d.close();
  t.ok(statSync(big).size > 300e6, 'the file is over 300 MB');
  const before = process.memoryUsage().rss;
  let peak = before;
  const s = await openOffline(big);
  let n = 0;
  await s.loop(0, () => {
    if (++n % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  });
  s.close();
  t.equal(n, 200_000);
  t.ok(peak - before < 64 * 1024 * 1024, `memory grew ${((peak - before) / 1048576).toFixed(1)} MiB (< 64)`);
});

t.test('the ring API on a savefile: walk slots, waitForPackets until the end', async (t) => {
  const path = await write('f.pcapng', packets, 'pcapng', true);
  const s = await openOffline(path, { ringSlots: 128, filter: 'greater 500' });
  const ring = s.rxRing();
  const seen: number[] = [];
  do {
    ring.sync();
    let i = ring.head;
    for (const tail = ring.tail; i !== tail; i = ring.next(i)) seen.push(ring.slotLen(i));
    ring.advance(i);
  } while (await s.waitForPackets());
  t.same(seen, packets.filter((p) => p.len >= 500).map((p) => p.len), 'every matching packet, in order');
  s.close();
});

/** Offsets of the blocks of a little-endian pcapng file. */
function blockOffsets(file: Buffer): number[] {
  const at: number[] = [];
  for (let p = 0; p < file.length; p += file.readUInt32LE(p + 4)) at.push(p);
  return at;
}

t.test('a corrupt block mid-stream ends the session (shapes §5), on every reading path', async (t) => {
  const path = await write('g.pcapng', packets.slice(0, 50), 'pcapng', true);
  const file = readFileSync(path);
  const blocks = blockOffsets(file);
  const bad = blocks[2 + 20]; // SHB, IDB, then the 21st packet
  const corrupt = Buffer.from(file);
  corrupt.writeUInt32LE(12345, blocks[2 + 21] - 4); // its trailer disagrees with its header
  const cpath = join(dir, 'g-corrupt.pcapng');
  writeFileSync(cpath, corrupt);
  const expectEnded = (s: Awaited<ReturnType<typeof openOffline>>, err: PcapError | null, what: string): void => {
    t.equal(err?.code, 'EBADFILE', `${what}: EBADFILE`);
    t.match(err?.message, new RegExp(`byte offset ${bad}\\b`), `${what}: names the block's offset`);
    t.equal(s.error, err, `${what}: session.error`);
    t.equal(s.closed, true, `${what}: closed`);
    t.equal(s.stats().recv, 20, `${what}: stats() keeps the counters`);
    t.throws(() => s.setFilter('udp'), { code: 'ECLOSED', cause: err }, `${what}: later calls ECLOSED, cause`);
  };
  // dispatch + waitForPackets
  {
    const s = await openOffline(cpath, { ringSlots: 8 });
    let n = 0;
    let err: PcapError | null = null;
    try {
      do {
        while (s.dispatch(-1, () => { n++; }) > 0) { /* more */ }
      } while (await s.waitForPackets());
    } catch (e) {
      err = e as PcapError;
    }
    t.equal(n, 20, 'dispatch: every packet before the damage');
    expectEnded(s, err, 'dispatch');
  }
  // next()
  {
    const s = await openOffline(cpath);
    let n = 0;
    const err = await (async () => { while (await s.next()) n++; return null; })().catch((e: PcapError) => e);
    t.equal(n, 20, 'next: every packet before the damage');
    expectEnded(s, err, 'next');
  }
  // the ring
  {
    const s = await openOffline(cpath, { ringSlots: 4 });
    const ring = s.rxRing();
    let n = 0;
    const err = await (async () => {
      do {
        ring.sync();
        let i = ring.head;
        for (const tail = ring.tail; i !== tail; i = ring.next(i)) n++;
        ring.advance(i);
      } while (await s.waitForPackets());
      return null;
    })().catch((e: PcapError) => e);
    t.equal(n, 20, 'ring: every packet before the damage');
    expectEnded(s, err, 'ring');
  }
  // 'packet' listeners: 'error', then 'close' once, no 'end'
  {
    const s = await openOffline(cpath, { ringSlots: 16 });
    const events: string[] = [];
    let n = 0;
    let err: PcapError | null = null;
    await new Promise<void>((resolve) => {
      s.on('packet', () => { n++; });
      s.on('error', (e: PcapError) => { err = e; events.push('error'); });
      s.on('end', () => events.push('end'));
      s.on('close', () => { events.push('close'); setImmediate(resolve); });
    });
    t.equal(n, 20, "'packet': every packet before the damage");
    t.same(events, ['error', 'close'], "'error', then 'close'");
    expectEnded(s, err, "'packet'");
  }
});

t.test('a path that is not a regular file (a FIFO): read on threads, every packet', { skip: process.platform !== 'linux' }, async (t) => {
  const path = await write('h.pcap', packets, 'pcap', false);
  const fifo = join(dir, 'h.fifo');
  t.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  // The writer blocks in open() until we open the other end.
  const writer = spawn('sh', ['-c', `cat '${path}' > '${fifo}'`], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
  const s = await openOffline(fifo);
  let n = 0;
  let bytes = 0;
  await s.loop(0, (data) => { n++; bytes += data.length; });
  t.equal(n, packets.length, 'every packet');
  t.equal(bytes, packets.reduce((a, p) => a + p.data.length, 0), 'every byte');
  s.close();
  t.equal(await exited, 0, 'the writer finished');
});
