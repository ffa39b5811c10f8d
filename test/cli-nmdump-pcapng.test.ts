// nmdump -w FILE --pcapng capturing live in a namespace of the test's own
// (veth va <-> vb, both ends inside, IPv6 off: silent but for our frames):
// both ends at once into one file, so every frame sent on va is in it
// twice, outbound on va and inbound on vb. tshark reads the interface
// names and directions, capinfos the section and interface blocks,
// tcpdump and our openOffline every packet, and the test's block walker
// the statistics blocks nmdump writes at close and at each rotation.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openOffline } from '../index';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';
import { runNmdump, startNmdump } from './helpers/nmdump';
import { optionText, optionU64, readBlocks } from './helpers/pcapng-blocks';

const SEND = path.join(__dirname, 'fixtures', 'nmdump-send.ts');

function tshark(file: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trimEnd().split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function count<T>(rows: T[], key: (r: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

t.test('nmdump -i va -i vb -w FILE --pcapng', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-ng-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  t.test('both ends, one file: names, directions, statistics', async (t) => {
    const file = path.join(dir, 'both.pcapng');
    const cap = startNmdump(['-i', 'va', '-i', 'vb', '-w', file, '--pcapng', '--time-stamp-precision=nano',
      '--capture-comment', 'captured by the test', 'udp or arp'], { netns: ns.name });
    await cap.waitForStderr('listening on vb');
    const send = await runInNetns(ns, SEND, ['va', '40']);
    t.equal(send.json?.sent, 40, 'the sender sent 40 frames on va');
    await sleep(300); // let the last block of frames reach the rings
    cap.child.kill('SIGINT');
    const r = await cap.done;
    t.equal(r.code, 0, 'exit 0 on SIGINT', { stderr: r.stderr });
    t.match(r.stderr, /^80 packets captured$/m, 'each frame twice: out on va, in on vb');

    const rows = tshark(file, ['frame.interface_name', 'frame.packet_flags_direction']);
    t.same(count(rows, (row) => row.join(' ')), { 'va 0x00000002': 40, 'vb 0x00000001': 40 },
      'tshark: 40 outbound on va, 40 inbound on vb');

    const info = execFileSync('capinfos', ['-I', '-F', '-k', file], { encoding: 'utf8' });
    t.match(info, /Capture application: nmdump \(netmap-pcap \d+\.\d+\.\d+\)/);
    t.match(info, /Capture oper-sys:\s+Linux /);
    t.match(info, /Capture comment:\s+captured by the test/);
    t.match(info, /Number of interfaces in file: 2/);
    t.match(info, /Name = va[\s\S]*Time resolution = 0x09[\s\S]*Filter string = udp or arp[\s\S]*Number of stat entries = 1\s+Number of packets = 40/);
    t.match(info, /Name = vb[\s\S]*Number of stat entries = 1\s+Number of packets = 40/);

    const dump = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    t.equal(dump.trimEnd().split('\n').length, 80, 'tcpdump reads all 80');

    // Our reader: the frames on vb are the frames sent on va, byte for byte.
    const s = await openOffline(file);
    const frames: Buffer[] = [];
    for await (const p of s.packets({ copy: true })) frames.push(p.data);
    s.close();
    const ifaceOf = rows.map((row) => row[0]);
    const onVa = frames.filter((_, i) => ifaceOf[i] === 'va').map((f) => f.toString('hex')).sort();
    const onVb = frames.filter((_, i) => ifaceOf[i] === 'vb').map((f) => f.toString('hex')).sort();
    t.equal(onVa.length, 40);
    t.same(onVb, onVa, 'openOffline: the 40 frames on vb are byte-identical to the 40 on va');

    const blocks = readBlocks(readFileSync(file));
    t.match(optionText(blocks[0], 4), /^nmdump \(netmap-pcap /, 'shb_userappl');
    t.same(blocks.filter((b) => b.type === 1).map((b) => optionText(b, 2)), ['va', 'vb'], 'an IDB per -i, in order');
    const isb = blocks.filter((b) => b.type === 5);
    t.same(isb.map((b) => b.fixed.readUInt32LE(0)), [0, 1], 'an ISB per interface');
    for (const b of isb) {
      t.equal(optionU64(b, 4), 40, 'isb_ifrecv: the 40 the filter passed');
      t.equal(optionU64(b, 5), 0, 'isb_ifdrop: none');
      t.equal(optionU64(b, 8), 40, 'isb_usrdeliv: 40 written');
    }
    t.equal(blocks[blocks.length - 1].type, 5, 'the statistics close the file');
  });

  t.test('-C rotation: every file is a whole pcapng with its statistics', async (t) => {
    const base = path.join(dir, 'rot.pcapng');
    const cap = startNmdump(['-i', 'vb', '-w', base, '--pcapng', '-C', '2k'], { netns: ns.name });
    await cap.waitForStderr('listening on vb');
    await runInNetns(ns, SEND, ['va', '60']);
    await sleep(300);
    cap.child.kill('SIGINT');
    const r = await cap.done;
    t.equal(r.code, 0);
    const files = readdirSync(dir).filter((f) => f.startsWith('rot.pcapng')).sort();
    t.ok(files.length >= 2, `rotated into ${files.length} files`);
    let total = 0;
    let lastRecv = 0;
    for (const f of ['rot.pcapng', ...files.filter((f) => f !== 'rot.pcapng').sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)))]) {
      const full = path.join(dir, f);
      const rows = tshark(full, ['frame.interface_name', 'frame.packet_flags_direction']);
      t.ok(rows.every((row) => row[0] === 'vb' && row[1] === '0x00000001'), `${f}: vb, inbound`);
      total += rows.length;
      const isb = readBlocks(readFileSync(full)).filter((b) => b.type === 5);
      t.equal(isb.length, 1, `${f}: one ISB`);
      const recv = optionU64(isb[0], 4) ?? -1;
      t.ok(recv >= lastRecv, `${f}: isb_ifrecv counts since the capture began (${recv})`);
      lastRecv = recv;
      t.equal(optionU64(isb[0], 8), total, `${f}: isb_usrdeliv is every packet written so far`);
    }
    t.equal(total, 60, 'the files hold all 60');
  });

  t.test('mistakes on the command line', async (t) => {
    const two = await runNmdump(['-i', 'va', '-i', 'vb', '-w', path.join(dir, 'x.pcap')], { netns: ns.name });
    t.equal(two.code, 1);
    t.match(two.stderr, /^nmdump: several -i need -w FILE --pcapng/);
    const same = await runNmdump(['-i', 'va', '-i', 'va', '-w', path.join(dir, 'x.pcapng'), '--pcapng'], { netns: ns.name });
    t.match(same.stderr, /^nmdump: the same -i twice/);
    const comment = await runNmdump(['-i', 'va', '-w', path.join(dir, 'x.pcap'), '--capture-comment', 'c'], { netns: ns.name });
    t.match(comment.stderr, /^nmdump: --capture-comment needs -w FILE --pcapng/);
  });
});
