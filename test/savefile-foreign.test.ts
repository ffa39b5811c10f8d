/**
 * Files written by other programs, read by us byte-exact: tcpdump -w,
 * editcap (pcapng, nanosecond pcap, Kuznetzov's modified pcap), mergecap
 * (several interfaces, link types and resolutions), concatenated pcapng
 * files (several sections, both byte orders), comments; and hand-built
 * pcapng with the rarer blocks and options, checked against tshark.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t, { Test } from 'tap';
import { Dumper } from '../lib/savefile/dumper';
import {
  block, endOpt, epb, fmtTs, have, idb, makePackets, opt, pb, pcapngToBigEndian, readAll, run, shb, spb,
  tsharkRead, type GenPkt, type Pkt,
} from './fixtures/savefile/util';

const dir = mkdtempSync(path.join(tmpdir(), 'savefile-foreign-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string): string => path.join(dir, name);

const tools = have('tcpdump') && have('editcap') && have('mergecap') && have('tshark');
if (!tools) {
  // CI installs them (.ci/run): there a missing tool is a failure, not a skip.
  if (process.env.CI === 'true') t.fail('tcpdump / editcap / mergecap / tshark not installed');
  else t.plan(0, 'tcpdump / editcap / mergecap / tshark not installed');
}

const packets = makePackets(120, 3);

async function writeOurs(file: string, nanosecond: boolean, linktype = 1, pk: GenPkt[] = packets): Promise<void> {
  const d = new Dumper(file, { format: 'pcap', nanosecond, linktype, snaplen: 65535 });
  for (const p of pk) d.dump(p.data, { tsSec: p.tsSec, tsNsec: p.tsNsec, len: p.len });
  await d.close();
}

/** Compare what we read with the generated packets; µs files lose the ns digits. */
function same(t: Test, got: Pkt[], want: GenPkt[], nanosecond: boolean, linktype = 1): void {
  t.equal(got.length, want.length, 'packet count');
  let bad = 0;
  got.forEach((g, i) => {
    const w = want[i];
    const nsec = nanosecond ? w.tsNsec : Math.floor(w.tsNsec / 1000) * 1000;
    if (!g.data.equals(w.data) || g.caplen !== w.data.length || g.len !== w.len || g.tsSec !== w.tsSec ||
        g.tsNsec !== nsec || g.linktype !== linktype) {
      if (bad++ < 3) t.fail(`packet ${i} differs`, { got: { ...g, data: undefined }, want: { ...w, data: undefined } });
    }
  });
  t.equal(bad, 0, 'every packet byte-exact');
}

/** Our timestamps and lengths equal tshark's for the same file. */
function sameAsTshark(t: Test, file: string, got: Pkt[]): void {
  const ts = tsharkRead(file);
  t.equal(got.length, ts.length, 'same packet count as tshark');
  let bad = 0;
  got.forEach((g, i) => {
    const w = ts[i];
    // tshark prints no time for a packet without one (an SPB); we give 0.
    const time = w && w.ts === '' ? '0.000000000' : w?.ts;
    if (!w || fmtTs(g.tsSec, g.tsNsec, 9) !== time || g.len !== w.len || g.caplen !== w.caplen) {
      if (bad++ < 3) t.fail(`packet ${i} differs from tshark`, { got: { ...g, data: undefined }, tshark: w });
    }
  });
  t.equal(bad, 0, 'timestamps, len and caplen equal tshark');
}

t.before(async () => {
  if (!tools) return;
  await writeOurs(f('us.pcap'), false);
  await writeOurs(f('ns.pcap'), true);
});

t.test('tcpdump -w (µs)', { skip: !tools }, async (t) => {
  run('tcpdump', ['-r', f('us.pcap'), '-w', f('td-us.pcap')]);
  const r = readAll(readFileSync(f('td-us.pcap')));
  t.equal(r.error, null);
  same(t, r.packets, packets, false);
});

t.test('tcpdump -w --time-stamp-precision=nano', { skip: !tools }, async (t) => {
  run('tcpdump', ['-r', f('ns.pcap'), '--time-stamp-precision=nano', '-w', f('td-ns.pcap')]);
  const bytes = readFileSync(f('td-ns.pcap'));
  t.equal(bytes.readUInt32LE(0), 0xa1b23c4d, 'tcpdump wrote the ns magic');
  const r = readAll(bytes);
  t.equal(r.error, null);
  t.equal(r.parser!.nanosecond, true);
  same(t, r.packets, packets, true);
});

t.test('editcap -s cuts to the snaplen', { skip: !tools }, async (t) => {
  run('editcap', ['-F', 'pcap', '-s', '100', f('us.pcap'), f('td-s100.pcap')]);
  const r = readAll(readFileSync(f('td-s100.pcap')));
  t.equal(r.error, null);
  t.equal(r.parser!.snaplen, 100);
  t.equal(r.packets.length, packets.length);
  t.ok(r.packets.every((p, i) => p.caplen === Math.min(100, packets[i].data.length) &&
    p.data.equals(packets[i].data.subarray(0, p.caplen)) && p.len === packets[i].len), 'cut packets byte-exact');
});

t.test('editcap -F nsecpcap', { skip: !tools }, async (t) => {
  run('editcap', ['-F', 'nsecpcap', f('ns.pcap'), f('ed-ns.pcap')]);
  const r = readAll(readFileSync(f('ed-ns.pcap')));
  t.equal(r.error, null);
  t.equal(r.parser!.nanosecond, true);
  same(t, r.packets, packets, true);
});

t.test('editcap -F modpcap (Kuznetzov, 24-byte record headers)', { skip: !tools }, async (t) => {
  run('editcap', ['-F', 'modpcap', f('us.pcap'), f('ed-mod.pcap')]);
  const bytes = readFileSync(f('ed-mod.pcap'));
  t.equal(bytes.readUInt32LE(0), 0xa1b2cd34, 'editcap wrote the Kuznetzov magic');
  const r = readAll(bytes);
  t.equal(r.error, null);
  same(t, r.packets, packets, false);
});

t.test('editcap -F pcapng, µs and ns, with comments', { skip: !tools }, async (t) => {
  for (const [src, nano] of [['us.pcap', false], ['ns.pcap', true]] as const) {
    const out = f(`ed-${nano ? 'ns' : 'us'}.pcapng`);
    run('editcap', ['-F', 'pcapng', '--capture-comment', 'first comment', '--capture-comment', 'zweiter Kommentar ✓',
      '-a', '3:a packet comment', f(src), out]);
    const r = readAll(readFileSync(out));
    t.equal(r.error, null);
    t.equal(r.parser!.format, 'pcapng');
    t.equal(r.parser!.nanosecond, nano);
    t.same(r.parser!.comments, ['first comment', 'zweiter Kommentar ✓'], 'SHB comments exposed');
    same(t, r.packets, packets, nano);
    sameAsTshark(t, out, r.packets);
  }
});

t.test('mergecap: two interfaces, link types and resolutions', { skip: !tools }, async (t) => {
  // Raw-IP packets (LINKTYPE_RAW 101), µs, merged with Ethernet ns packets.
  const raw = makePackets(40, 11).map((p) => ({ ...p, data: p.data.subarray(14), len: p.len - 14 }));
  await writeOurs(f('raw.pcap'), false, 101, raw);
  run('editcap', ['-F', 'pcapng', f('ns.pcap'), f('ns.pcapng')]);
  run('mergecap', ['-F', 'pcapng', '-w', f('merged.pcapng'), f('ns.pcapng'), f('raw.pcap')]);
  const r = readAll(readFileSync(f('merged.pcapng')));
  t.equal(r.error, null);
  t.equal(r.parser!.interfaces.length, 2, 'two interfaces');
  t.same(r.parser!.interfaces.map((i) => [i.linktype, i.tsresol]).sort(), [[1, 1e9], [101, 1e6]]);
  t.equal(r.packets.length, packets.length + raw.length);
  const byIf = (lt: number): Pkt[] => r.packets.filter((p) => p.linktype === lt);
  same(t, byIf(1), packets, true, 1);
  same(t, byIf(101), raw, false, 101);
  t.ok(r.packets.every((p) => r.parser!.interfaces[p.ifIndex].linktype === p.linktype), 'ifIndex matches linktype');
  sameAsTshark(t, f('merged.pcapng'), r.packets);
});

t.test('several sections, in both byte orders', { skip: !tools }, async (t) => {
  const a = new Dumper(f('sec-a.pcapng'), { format: 'pcapng', nanosecond: true, linktype: 1 });
  const b = new Dumper(f('sec-b.pcapng'), { format: 'pcapng', nanosecond: false, linktype: 1 });
  packets.slice(0, 60).forEach((p) => a.dump(p.data, { tsSec: p.tsSec, tsNsec: p.tsNsec, len: p.len }));
  packets.slice(60).forEach((p) => b.dump(p.data, { tsSec: p.tsSec, tsNsec: p.tsNsec, len: p.len }));
  await a.close();
  await b.close();
  const file = f('sections.pcapng');
  writeFileSync(file, Buffer.concat([readFileSync(f('sec-a.pcapng')), pcapngToBigEndian(readFileSync(f('sec-b.pcapng')))]));
  const r = readAll(readFileSync(file), 4096);
  t.equal(r.error, null);
  t.equal(r.parser!.interfaces.length, 2, 'one interface per section');
  t.same(r.parser!.interfaces.map((i) => i.section), [0, 1]);
  same(t, r.packets.slice(0, 60), packets.slice(0, 60), true);
  same(t, r.packets.slice(60), packets.slice(60), false);
  t.ok(r.packets.slice(60).every((p) => p.ifIndex === 1), 'second section packets on interface 1');
  sameAsTshark(t, file, r.packets);
});

t.test('hand-built pcapng: SPB, PB, binary if_tsresol, if_tsoffset, unknown blocks', { skip: !tools }, async (t) => {
  const d = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);
  const eth = (n: number, fill: number): Buffer => Buffer.concat([Buffer.from('ffffffffffff00010203040508 00'.replace(/ /g, ''), 'hex'), d(n - 14, fill)]);
  const le = true;
  // Wireshark shows custom blocks as records of their own: left out of its copy.
  const custom = [block(0x00000bad, Buffer.from('custom block, skipped')), block(0x4000_0bad, Buffer.alloc(8))];
  const blocks = [
    shb(le, [opt(1, 'section comment'), endOpt()]),
    custom[0],
    idb(1, 0, le, [opt(2, 'eth-binary'), opt(9, Buffer.from([0x80 | 20])), opt(1, 'idb comment'), endOpt()]),
    idb(1, 128, le, [opt(9, Buffer.from([3])), opt(14, (() => { const b = Buffer.alloc(8); b.writeBigInt64LE(1000n); return b; })()), endOpt()]),
    // 2^-20 s ticks: 1_700_000_000 s + 0.5 s
    epb(0, (1_700_000_000n << 20n) + (1n << 19n), eth(64, 1)),
    // interface 1: ms ticks, +1000 s offset; caplen 100 > snaplen? no: 100 ≤ 128
    epb(1, 1_700_000_000_123n, eth(100, 2), le, { len: 1500, options: [opt(1, 'per-packet comment'), endOpt()] }),
    block(5, Buffer.concat([Buffer.alloc(12), opt(1, 'isb comment'), endOpt()])), // ISB
    block(4, Buffer.alloc(4)), // NRB: nrb_record_end only
    pb(0, (1_700_000_001n << 20n) + 1n, eth(70, 3)),
    spb(300, eth(300, 4)), // caplen = min(len, snaplen)
    custom[1],
  ];
  const file = Buffer.concat(blocks);
  writeFileSync(f('hand.pcapng'), Buffer.concat(blocks.filter((b) => !custom.includes(b))));
  const r = readAll(file);
  t.equal(r.error, null);
  t.equal(r.packets.length, 4);
  t.same(r.parser!.comments, ['section comment', 'idb comment', 'isb comment'], 'comments, not per-packet ones');
  t.equal(r.parser!.interfaces[0].name, 'eth-binary');
  t.equal(r.parser!.interfaces[0].tsresolBinary, true);
  t.equal(r.parser!.interfaces[1].tsoffset, 1000);
  t.same(r.packets.map((p) => [p.tsSec, p.tsNsec, p.caplen, p.len, p.ifIndex, p.data[20]]), [
    [1_700_000_000, 500_000_000, 64, 64, 0, 1],
    [1_700_001_000, 123_000_000, 100, 1500, 1, 2],
    [1_700_000_001, 953, 70, 70, 0, 3], // 1/2^20 s = 953.67 ns, truncated like libpcap
    [0, 0, 300, 300, 0, 4], // SPBs have no timestamp
  ]);
  sameAsTshark(t, f('hand.pcapng'), r.packets);
});
