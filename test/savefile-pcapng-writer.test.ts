// The pcapng writer through the API (dumpOpen … { format: 'pcapng' }):
// section options, an interface block per port, epb_flags direction and
// comments, statistics blocks. Read back by tshark (-T fields), capinfos,
// tcpdump -r, our own openOffline (byte-exact), and a block walker of the
// test's own for the fields no tool prints (ISB counters).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dumpOpen, openOffline } from '../index';
import { optionText, optionU64, readBlocks } from './helpers/pcapng-blocks';
import { udpFrame } from './fixtures/frames';

const dir = mkdtempSync(path.join(tmpdir(), 'nmp-pcapng-w-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** tshark's fields, one row per packet, tab-separated. */
function tshark(file: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trimEnd().split('\n').map((l) => l.split('\t'));
}

interface Sent { data: Buffer; tsSec: number; tsNsec: number; len: number; interface: number; direction?: 'in' | 'out'; comment?: string }

const packets: Sent[] = [
  { data: udpFrame(9000), tsSec: 1_700_000_000, tsNsec: 123_456_789, len: 60, interface: 0, direction: 'in', comment: 'first, with a comment ✓' },
  { data: udpFrame(9001), tsSec: 1_700_000_000, tsNsec: 500_000_000, len: 60, interface: 1, direction: 'out' },
  { data: udpFrame(9002, 200), tsSec: 1_700_000_001, tsNsec: 1, len: 242, interface: 1 },
  { data: udpFrame(9003), tsSec: 1_700_000_002, tsNsec: 999_999_999, len: 60, interface: 0, comment: 'x' },
];

for (const nanosecond of [true, false]) {
  t.test(`two ports, directions, comments, statistics (${nanosecond ? 'ns' : 'µs'})`, async (t) => {
    const file = path.join(dir, `two-${nanosecond ? 'ns' : 'us'}.pcapng`);
    const d = dumpOpen({ linktype: 1, snaplen: 65535 }, file, {
      format: 'pcapng', nanosecond,
      section: { userappl: 'writer test', comment: 'the file comment' },
      interface: { name: 'va', description: 'veth end A', filter: 'udp' },
    });
    // Same link type and snaplen as interface 0: libpcap (tcpdump) refuses a
    // file whose interfaces differ in either; tshark reads any.
    t.equal(d.addInterface({ name: 'vb' }), 1, 'the second port is interface 1');
    for (const p of packets) d.dump(p.data, p);
    d.writeStatistics(0, { ifrecv: 10, ifdrop: 3, usrdeliv: 2 });
    d.writeStatistics(1, { ifrecv: 7, ifdrop: 0, startTime: { tsSec: 1_700_000_000, tsNsec: 0 } });
    await d.close();

    // tshark: interface names, direction flags, comments, times, lengths.
    const frac = (ns: number) => (nanosecond ? String(ns).padStart(9, '0') : String(Math.floor(ns / 1000)).padStart(6, '0'));
    t.same(tshark(file, ['frame.interface_name', 'frame.packet_flags_direction', 'frame.comment', 'frame.time_epoch',
      'frame.cap_len', 'frame.len']), [
      ['va', '0x00000001', 'first, with a comment ✓', `1700000000.${frac(123_456_789)}`, '60', '60'],
      ['vb', '0x00000002', '', `1700000000.${frac(500_000_000)}`, '60', '60'],
      ['vb', '', '', `1700000001.${frac(1)}`, '242', '242'],
      ['va', '', 'x', `1700000002.${frac(999_999_999)}`, '60', '60'],
    ].map((row) => (nanosecond ? row : row.map((v, i) => (i === 3 ? v.padEnd(20, '0') : v)))),
    'tshark reads every field');

    // capinfos: the section's and the interfaces' options.
    const info = execFileSync('capinfos', ['-I', '-F', '-k', file], { encoding: 'utf8' });
    t.match(info, /Capture application: writer test/);
    t.match(info, /Capture oper-sys:\s+Linux \S+/);
    t.match(info, /Capture hardware:\s+\S/);
    t.match(info, /Capture comment:\s+the file comment/);
    t.match(info, /Number of interfaces in file: 2/);
    t.match(info, /Name = va\s+Description = veth end A[\s\S]*Filter string = udp[\s\S]*Number of stat entries = 1/);
    t.match(info, /Name = vb[\s\S]*Number of stat entries = 1/);
    t.match(info, new RegExp(`Time resolution = 0x0${nanosecond ? 9 : 6}`));

    // tcpdump (libpcap) reads it, every packet.
    const dump = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    t.equal(dump.trimEnd().split('\n').length, 4, 'tcpdump prints 4 packets');

    // Our reader: the same bytes, lengths and times.
    const s = await openOffline(file);
    const back: { data: Buffer; tsSec: number; tsNsec: number; caplen: number; len: number }[] = [];
    for await (const p of s.packets({ copy: true })) back.push({ data: p.data, tsSec: p.tsSec, tsNsec: p.tsNsec, caplen: p.caplen, len: p.len });
    t.same(s.interfaces.map((i) => i.name), ['va', 'vb']);
    t.ok(s.comments.includes('the file comment'), 'the section comment');
    s.close();
    t.same(back, packets.map((p) => {
      const caplen = p.data.length;
      return { data: p.data.subarray(0, caplen), tsSec: p.tsSec, tsNsec: nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000) * 1000, caplen, len: p.len };
    }), 'openOffline reads back every packet byte-exact');

    // The blocks themselves: ISB counters, which no tool prints.
    const blocks = readBlocks(readFileSync(file));
    t.same(blocks.map((b) => b.type), [0x0a0d0d0a, 1, 1, 6, 6, 6, 6, 5, 5]);
    t.equal(optionText(blocks[0], 4), 'writer test', 'shb_userappl');
    const isb = blocks.filter((b) => b.type === 5);
    t.same(isb.map((b) => [b.fixed.readUInt32LE(0), optionU64(b, 4), optionU64(b, 5), optionU64(b, 8)]),
      [[0, 10, 3, 2], [1, 7, 0, undefined]], 'isb_ifrecv, isb_ifdrop, isb_usrdeliv per interface');
    const start = isb[1].options.find(([c]) => c === 2)![1];
    const units = BigInt(nanosecond ? 1e9 : 1e6);
    t.equal((BigInt(start.readUInt32LE(0)) << 32n) | BigInt(start.readUInt32LE(4)), 1_700_000_000n * units, 'isb_starttime as given');
    const epb0 = blocks[3];
    t.same(epb0.options.map(([c]) => c), [1, 2], 'a commented inbound packet: opt_comment and epb_flags');
    t.same(blocks[5].options, [], 'a packet with neither: no options at all');
  });
}

t.test('what a pcap file cannot hold is an error that says so', async (t) => {
  const d = dumpOpen({ linktype: 1 }, path.join(dir, 'x.pcap'));
  t.throws(() => d.addInterface({ name: 'vb' }), { code: 'ENOTSUP', message: /format: 'pcapng'/ });
  t.throws(() => d.writeStatistics(0, { ifrecv: 1 }), { code: 'ENOTSUP' });
  t.throws(() => d.dump(udpFrame(1), { tsSec: 1, tsNsec: 0, len: 60, comment: 'c' }), { code: 'EINVAL', message: /pcapng/ });
  t.throws(() => d.dump(udpFrame(1), { tsSec: 1, tsNsec: 0, len: 60, interface: 1 }), { code: 'EINVAL', message: /only interface 0/ });
  d.dump(udpFrame(1), { tsSec: 1, tsNsec: 0, len: 60, direction: 'out' }); // direction: not stored, not an error
  await d.close();
  t.throws(() => dumpOpen({ linktype: 1 }, path.join(dir, 'y.pcap'), { interface: { name: 'va' } }), { code: 'EINVAL' });
  const ng = dumpOpen({ linktype: 1 }, path.join(dir, 'y.pcapng'), { format: 'pcapng' });
  t.throws(() => ng.dump(udpFrame(1), { tsSec: 1, tsNsec: 0, len: 60, interface: 1 }), { code: 'EINVAL', message: /addInterface/ });
  t.throws(() => ng.dump(udpFrame(1), { tsSec: 1, tsNsec: 0, len: 60, direction: 'sideways' as 'in' }), { code: 'EINVAL' });
  t.throws(() => ng.writeStatistics(3, {}), { code: 'EINVAL' });
  t.throws(() => ng.writeStatistics(0, { ifrecv: -1 }), { code: 'EINVAL' });
  await ng.close();
  t.throws(() => ng.addInterface(), { code: 'ECLOSED' });
  t.throws(() => ng.writeStatistics(0, {}), { code: 'ECLOSED' });
});
