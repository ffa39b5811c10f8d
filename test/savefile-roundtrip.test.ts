/**
 * Files written by our Dumper, read back by our parser, tcpdump, tshark and
 * the npm pcap-parser package: packet bytes, lengths and timestamps equal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Dumper } from '../lib/savefile/dumper';
import {
  fmtTs, have, makePackets, pcapngToBigEndian, pcapToBigEndian, readAll, tcpdumpRead, tsharkRead,
  type GenPkt,
} from './fixtures/savefile/util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pcapp = require('pcap-parser');

const dir = mkdtempSync(path.join(tmpdir(), 'savefile-rt-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const SNAPLEN = 4000; // below the jumbo frames, so truncation is exercised too
const packets = makePackets(300, 7);

interface Case { name: string; format: 'pcap' | 'pcapng'; nanosecond: boolean; bigEndian?: boolean }
const cases: Case[] = [
  { name: 'pcap-us', format: 'pcap', nanosecond: false },
  { name: 'pcap-ns', format: 'pcap', nanosecond: true },
  { name: 'pcapng-us', format: 'pcapng', nanosecond: false },
  { name: 'pcapng-ns', format: 'pcapng', nanosecond: true },
  { name: 'pcap-us-be', format: 'pcap', nanosecond: false, bigEndian: true },
  { name: 'pcap-ns-be', format: 'pcap', nanosecond: true, bigEndian: true },
  { name: 'pcapng-ns-be', format: 'pcapng', nanosecond: true, bigEndian: true },
];

/** What a reader must see for packet p: bytes cut to the snaplen, µs files lose the ns digits. */
function expected(p: GenPkt, nanosecond: boolean) {
  const caplen = Math.min(p.data.length, SNAPLEN);
  return {
    data: p.data.subarray(0, caplen), caplen, len: p.len, tsSec: p.tsSec,
    tsNsec: nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000) * 1000,
  };
}

async function write(c: Case): Promise<string> {
  const file = path.join(dir, `${c.name}.${c.format}`);
  const d = new Dumper(file, { format: c.format, nanosecond: c.nanosecond, linktype: 1, snaplen: SNAPLEN,
    chunkSize: 64 * 1024 });
  for (const p of packets) d.dump(p.data, { tsSec: p.tsSec, tsNsec: p.tsNsec, len: p.len });
  await d.close();
  if (c.bigEndian) {
    const le = readFileSync(file);
    writeFileSync(file, c.format === 'pcap' ? pcapToBigEndian(le) : pcapngToBigEndian(le));
  }
  return file;
}

for (const c of cases) {
  t.test(c.name, async (t) => {
    const file = await write(c);
    const bytes = readFileSync(file);

    t.test('our parser, whole file and through a 4 KiB window', async (t) => {
      for (const window of [undefined, 4096]) {
        const r = readAll(bytes, window);
        t.equal(r.error, null, 'no error');
        t.equal(r.parser!.format, c.format);
        t.equal(r.parser!.linktype, 1);
        t.equal(r.parser!.snaplen, SNAPLEN);
        t.equal(r.parser!.nanosecond, c.nanosecond);
        t.equal(r.packets.length, packets.length, 'packet count');
        let bad = 0;
        r.packets.forEach((got, i) => {
          const want = expected(packets[i], c.nanosecond);
          if (!got.data.equals(want.data) || got.caplen !== want.caplen || got.len !== want.len ||
              got.tsSec !== want.tsSec || got.tsNsec !== want.tsNsec || got.linktype !== 1) {
            if (bad++ < 3) t.fail(`packet ${i} differs`, { got: { ...got, data: undefined }, want: { ...want, data: undefined } });
          }
        });
        t.equal(bad, 0, `every packet byte-exact (window ${window ?? 'none'})`);
      }
    });

    t.test('tcpdump -r', { skip: !have('tcpdump') && 'tcpdump not installed' }, async (t) => {
      for (const nano of [false, true]) {
        const got = tcpdumpRead(file, nano);
        t.equal(got.length, packets.length, 'packet count');
        let bad = 0;
        got.forEach((g, i) => {
          const want = expected(packets[i], c.nanosecond);
          if (g.ts !== fmtTs(want.tsSec, want.tsNsec, nano ? 9 : 6) || !g.data.equals(want.data)) {
            if (bad++ < 3) t.fail(`packet ${i} differs`, { got: g.ts, want: fmtTs(want.tsSec, want.tsNsec, 9) });
          }
        });
        t.equal(bad, 0, `bytes and timestamps equal (${nano ? 'ns' : 'µs'} precision)`);
      }
    });

    t.test('tshark -r', { skip: !have('tshark') && 'tshark not installed' }, async (t) => {
      const got = tsharkRead(file);
      t.equal(got.length, packets.length, 'packet count');
      let bad = 0;
      got.forEach((g, i) => {
        const want = expected(packets[i], c.nanosecond);
        if (g.ts !== fmtTs(want.tsSec, want.tsNsec, 9) || g.len !== want.len || g.caplen !== want.caplen) {
          if (bad++ < 3) t.fail(`packet ${i} differs`, { got: g, want: { ...want, data: undefined } });
        }
      });
      t.equal(bad, 0, 'timestamps, len and caplen equal');
    });

    // pcap-parser reads only the microsecond magic, in either byte order.
    t.test('npm pcap-parser', { skip: !(c.format === 'pcap' && !c.nanosecond) && 'pcap-parser reads µs pcap only' },
      (t) => {
        const got: { header: any; data: Buffer }[] = [];
        const parser = pcapp.parse(file);
        parser.on('packet', (p: { header: any; data: Buffer }) => got.push({ header: p.header, data: Buffer.from(p.data) }));
        parser.on('error', (e: Error) => t.fail(e.message));
        parser.on('end', () => {
          t.equal(got.length, packets.length, 'packet count');
          let bad = 0;
          got.forEach((g, i) => {
            const want = expected(packets[i], false);
            const h = g.header;
            if (h.timestampSeconds !== want.tsSec || h.timestampMicroseconds * 1000 !== want.tsNsec ||
                h.capturedLength !== want.caplen || h.originalLength !== want.len || !g.data.equals(want.data)) {
              if (bad++ < 3) t.fail(`packet ${i} differs`, { got: h });
            }
          });
          t.equal(bad, 0, 'bytes, lengths and timestamps equal');
          t.end();
        });
      });
  });
}
