// The two tools against each other, in a namespace the test creates (veth
// va <-> vb, both ends inside): nmsend generates 100,000 frames on va,
// nmdump -w captures them on vb, and tcpdump -r counts the file nmdump
// wrote. Needs root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Netns, requireRoot } from './helpers/netns';
import { startNmdump } from './helpers/nmdump';
import { nmsend, summaryOf } from './helpers/nmsend';

const COUNT = 100_000;

t.test('nmsend --generate --count 100000 -> nmdump -w: exactly 100000, tcpdump agrees', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-pair-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'pair.pcap');

  // -c stops nmdump on the last frame; -B 65536 KiB holds the whole burst
  // should nmdump fall behind the sender.
  const cap = startNmdump(['-i', 'vb', '-c', String(COUNT), '-B', '65536', '-w', file],
    { netns: ns.name, timeoutMs: 120_000 });
  await cap.waitForStderr('listening on vb');
  const send = await nmsend(ns, ['-i', 'va', '--generate', '--count', String(COUNT), '--seq'], 120_000);
  t.equal(send.code, 0, `nmsend exits 0: ${send.stderr}`);
  t.match(summaryOf(send.stderr), { sent: COUNT, failed: 0 }, 'nmsend says it sent them all');

  const dump = await cap.done;
  t.equal(dump.code, 0, `nmdump exits 0 after -c: ${dump.stderr}`);
  t.match(dump.stderr, new RegExp(`^${COUNT} packets captured$`, 'm'), 'nmdump\'s summary counts them all');

  const tcpdumpCount = Number(execFileSync('sh', ['-c', 'tcpdump -n -r "$1" 2>/dev/null | wc -l', 'sh', file],
    { encoding: 'utf8' }).trim());
  t.equal(tcpdumpCount, COUNT, 'tcpdump -r reads exactly 100000 from nmdump\'s file');
  const udp = Number(execFileSync('sh', ['-c',
    'tshark -r "$1" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE ' +
    '-Y "udp && ip.checksum.status == 1 && udp.checksum.status == 1" 2>/dev/null | wc -l', 'sh', file],
  { encoding: 'utf8' }).trim());
  t.equal(udp, COUNT, 'tshark: every frame UDP with good IP and UDP checksums (status 1)');
});
