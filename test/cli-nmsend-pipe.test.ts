// nmsend on a pipe: port, end to end without root: generated frames with
// --seq, and a replay, each received by another process that counts them
// and checks the sequence numbers.
import { join } from 'node:path';
import t from 'tap';
import { craftFrame, parseIpv4, parseMac } from '../index';
import { runChild } from './helpers/child';
import { nmsend, summaryOf, writeReplayFile } from './helpers/nmsend';

const RX = join(__dirname, 'fixtures', 'nmsend-pipe-rx.ts');

t.test('--generate --seq over a pipe: every frame, in order', async (t) => {
  const name = `nmsend${process.pid}`;
  const rx = runChild(RX, [`pipe:${name}}0`, '50000']);
  const run = await nmsend(null, ['-i', `pipe:${name}{0`, '--generate', '--count', '50000', '--seq', '--proto', 'tcp-syn']);
  t.equal(run.code, 0, run.stderr);
  t.match(summaryOf(run.stderr), { sent: 50000, failed: 0, why: 'count reached' });
  const got = await rx;
  t.match(got.json, { frames: 50000, inOrder: 50000, why: 'EPIPE' }, got.stderr);
});

t.test('a replay over a pipe, twice through the file', async (t) => {
  const name = `nmsendr${process.pid}`;
  const file = join(t.testdir(), 'r.pcap');
  await writeReplayFile(file, Array.from({ length: 3000 }, (_, i) => craftFrame({
    proto: 'udp', size: 60 + (i % 100), srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('02:00:00:00:00:02'),
    srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.19.0.1'), srcPort: 1, dstPort: 2,
  })), 1000);
  const rx = runChild(RX, [`pipe:${name}}0`, '6000']);
  const run = await nmsend(null, ['-i', `pipe:${name}{0`, '--topspeed', '--loop', '2', file]);
  t.equal(run.code, 0, run.stderr);
  t.match(summaryOf(run.stderr), { sent: 6000, bytes: 2 * (3000 * 60 + 30 * 4950), why: 'end of input' });
  const got = await rx;
  t.match(got.json, { frames: 6000, why: 'EPIPE' }, got.stderr);
});
