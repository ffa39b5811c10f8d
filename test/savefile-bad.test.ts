/**
 * Bad input: every corrupt or truncated file gives a PcapError (EBADFILE or
 * ETRUNC) naming the byte offset, after every complete packet before it.
 */
import t, { Test } from 'tap';
import { PcapError } from '../lib/errors';
import { MAX_RECORD } from '../lib/savefile/format';
import { openParser } from '../lib/savefile/parser';
import {
  block, endOpt, epb, idb, opt, pcapHeader, pcapRecord, readAll, shb, spb,
} from './fixtures/savefile/util';

const pkt = (n: number, fill = 0xab): Buffer => Buffer.alloc(n, fill);

/** Read `file`; expect `packets` packets, then an error with `code` naming `offset`. */
function expectError(t: Test, file: Buffer, code: 'ETRUNC' | 'EBADFILE', offset: number, packets = 0,
  match?: RegExp): void {
  for (const window of [undefined, 64]) {
    const r = readAll(file, window);
    t.equal(r.packets.length, packets, `${packets} packets first (window ${window ?? 'none'})`);
    t.ok(r.error instanceof PcapError, 'a PcapError');
    t.equal(r.error?.code, code, code);
    t.match(r.error?.message ?? '', new RegExp(`at byte offset ${offset}\\b`), `names offset ${offset}`);
    if (match) t.match(r.error?.message ?? '', match);
  }
}

t.test('empty and unknown files', async (t) => {
  t.equal(openParser(new Uint8Array(0), 0, 0), null, 'no bytes yet: need more');
  expectError(t, Buffer.alloc(0), 'EBADFILE', 0, 0, /empty/);
  expectError(t, Buffer.from('hello, world, this is not a capture file'), 'EBADFILE', 0, 0, /unknown magic 0x68656c6c/);
  expectError(t, Buffer.from([0x4c, 0x69]), 'EBADFILE', 0, 0, /unknown magic/);
  expectError(t, Buffer.from([0xd4, 0xc3]), 'ETRUNC', 0, 0);
  expectError(t, pcapHeader().subarray(0, 10), 'ETRUNC', 0, 0, /24-byte pcap file header/);
  expectError(t, shb().subarray(0, 8), 'ETRUNC', 0);
  expectError(t, shb().subarray(0, 20), 'ETRUNC', 0);
});

t.test('pcap header checks (libpcap: versions 2.0-2.4 and 543.0)', async (t) => {
  expectError(t, pcapHeader({ major: 1 }), 'EBADFILE', 4, 0, /archaic/);
  expectError(t, pcapHeader({ major: 2, minor: 5 }), 'EBADFILE', 4, 0, /version 2\.5/);
  // 2.2 and 543.0 swap caplen and len; 2.3 swaps only when caplen > len.
  for (const [major, minor] of [[2, 2], [543, 0], [2, 3]] as const) {
    const file = Buffer.concat([pcapHeader({ major, minor }), pcapRecord(pkt(40), { caplen: 100, len: 40 })]);
    const r = readAll(file);
    t.equal(r.error, null, `${major}.${minor} reads`);
    t.same([r.packets[0].caplen, r.packets[0].len], [40, 100], `${major}.${minor}: lengths swapped`);
  }
  const r = readAll(Buffer.concat([pcapHeader(), pcapRecord(pkt(40), { caplen: 100, len: 40 })]));
  t.equal(r.error?.code, 'ETRUNC', '2.4: caplen 100 means 100 bytes, so the file is cut');
});

t.test('pcap records', async (t) => {
  const hdr = pcapHeader({ snaplen: 1000 });
  const five = [1, 2, 3, 4, 5].map((i) => pcapRecord(pkt(100, i), { tsSec: i }));
  const whole = Buffer.concat([hdr, ...five]);
  t.equal(readAll(whole).packets.length, 5, 'intact file: 5 packets');
  const fifthAt = 24 + 4 * 116;
  expectError(t, whole.subarray(0, fifthAt + 7), 'ETRUNC', fifthAt, 4, /16-byte packet record header/);
  expectError(t, whole.subarray(0, fifthAt + 16 + 50), 'ETRUNC', fifthAt, 4, /66 bytes of a 116-byte/);

  // caplen over 256 KiB: corrupt, even with a huge snaplen in the header.
  const big = Buffer.concat([pcapHeader({ snaplen: 0x7fffffff }), five[0], pcapRecord(pkt(8), { caplen: MAX_RECORD + 1 })]);
  expectError(t, big, 'EBADFILE', 24 + 116, 1, /caplen 262145, over the maximum 262144 at/);
  const overSnap = Buffer.concat([hdr, pcapRecord(pkt(8), { caplen: MAX_RECORD + 1 })]);
  expectError(t, overSnap, 'EBADFILE', 24, 0, /and the snaplen 1000/);

  // Over the snaplen but within 256 KiB: read whole, delivered cut (libpcap).
  const cut = readAll(Buffer.concat([pcapHeader({ snaplen: 64 }), pcapRecord(pkt(100, 7)), five[1]]));
  t.equal(cut.error, null);
  t.same(cut.packets.map((p) => [p.caplen, p.len, p.data.length]), [[64, 100, 64], [64, 100, 64]]);

  // snaplen 0 means "no limit" (libpcap's adjusted snapshot is 262144).
  const zero = readAll(Buffer.concat([pcapHeader({ snaplen: 0 }), pcapRecord(pkt(5000))]));
  t.equal(zero.parser?.snaplen, MAX_RECORD);
  t.equal(zero.packets[0].caplen, 5000);

  // caplen > len is tolerated, as libpcap does.
  const odd = readAll(Buffer.concat([hdr, pcapRecord(pkt(60), { len: 20 })]));
  t.same([odd.error, odd.packets[0].caplen, odd.packets[0].len], [null, 60, 20]);

  // ts_usec ≥ 1e6 is carried into the seconds, so tsNsec < 1e9.
  const carry = readAll(Buffer.concat([hdr, pcapRecord(pkt(60), { tsSec: 10, tsFrac: 2_500_000 })]));
  t.same([carry.packets[0].tsSec, carry.packets[0].tsNsec], [12, 500_000_000]);
});

t.test('pcapng block length checks', async (t) => {
  const head = Buffer.concat([shb(), idb(1, 0)]);
  const at = head.length;
  const good = epb(0, 0n, pkt(60));
  t.equal(readAll(Buffer.concat([head, good])).packets.length, 1, 'intact');

  const notMult4 = Buffer.from(good);
  notMult4.writeUInt32LE(good.length - 2, 4);
  expectError(t, Buffer.concat([head, good, notMult4]), 'EBADFILE', at + good.length, 1, /not a multiple of 4/);

  const tooSmall = Buffer.from([6, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0]);
  expectError(t, Buffer.concat([head, tooSmall]), 'EBADFILE', at, 0, /length 8 < 12/);

  const mismatch = Buffer.from(good);
  mismatch.writeUInt32LE(good.length + 4, good.length - 4);
  expectError(t, Buffer.concat([head, good, good, mismatch]), 'EBADFILE', at + 2 * good.length, 2, /trailer/);

  const huge = Buffer.from(good);
  huge.writeUInt32LE(64 * 1024 * 1024, 4);
  expectError(t, Buffer.concat([head, huge]), 'EBADFILE', at, 0, /> maximum 16777216/);

  // A block cut by the end of the file: every packet before it, then ETRUNC.
  expectError(t, Buffer.concat([head, good, good, good.subarray(0, 20)]), 'ETRUNC', at + 2 * good.length, 2);
  expectError(t, Buffer.concat([head, good, good.subarray(0, 6)]), 'ETRUNC', at + good.length, 1);
});

t.test('pcapng structure checks', async (t) => {
  const h = shb();
  const badBom = Buffer.from(h);
  badBom.writeUInt32LE(0x12345678, 8);
  expectError(t, badBom, 'EBADFILE', 8, 0, /byte-order magic/);
  expectError(t, shb(true, [], 2, 0), 'EBADFILE', 0, 0, /version 2\.0/);
  expectError(t, shb(true, [], 1, 1), 'EBADFILE', 0, 0, /version 1\.1/);
  t.equal(readAll(shb(true, [], 1, 2)).error, null, 'version 1.2 reads');
  const bigShb = shb(true, [Buffer.alloc(1024 * 1024)]);
  expectError(t, bigShb, 'EBADFILE', 0, 0, /Section Header Block with length \d+ > maximum 1048576/);

  expectError(t, Buffer.concat([h, epb(0, 0n, pkt(60))]), 'EBADFILE', h.length, 0, /no Interface Description Block/);
  const one = Buffer.concat([h, idb(1, 0)]);
  expectError(t, Buffer.concat([one, epb(1, 0n, pkt(60))]), 'EBADFILE', one.length, 0, /interface 1/);
  // A new section forgets the previous section's interfaces.
  const e4 = epb(0, 0n, pkt(4));
  expectError(t, Buffer.concat([one, e4, shb(), e4]), 'EBADFILE', one.length + e4.length + h.length, 1, /interface 0/);

  const snap64 = Buffer.concat([h, idb(1, 64)]);
  expectError(t, Buffer.concat([snap64, epb(0, 0n, pkt(65))]), 'EBADFILE', snap64.length, 0, /snaplen 64/);
  expectError(t, Buffer.concat([one, epb(0, 0n, pkt(MAX_RECORD + 4))]), 'EBADFILE', one.length, 0, /maximum 262144/);
  const hugeSnap = Buffer.concat([h, idb(1, 0x7fffffff)]);
  expectError(t, Buffer.concat([hugeSnap, epb(0, 0n, pkt(MAX_RECORD + 4))]), 'EBADFILE', hugeSnap.length, 0,
    /maximum 262144/);
  const roomy = epb(0, 0n, pkt(60));
  roomy.writeUInt32LE(200, 20); // caplen 200 in a block with room for 60
  expectError(t, Buffer.concat([one, roomy]), 'EBADFILE', one.length, 0, /room for 60/);
  expectError(t, Buffer.concat([one, block(6, Buffer.alloc(8))]), 'EBADFILE', one.length, 0, /too short/);
  // SPB: caplen = min(len, snaplen); the block must hold it.
  const spbs = readAll(Buffer.concat([snap64, spb(1000, pkt(64)), spb(10, pkt(12))]));
  t.same(spbs.packets.map((p) => [p.caplen, p.len]), [[64, 1000], [10, 10]]);
  expectError(t, Buffer.concat([one, spb(100, pkt(60))]), 'EBADFILE', one.length, 0, /room for 60/);

  // IDB options are checked as libpcap checks them.
  const idbErr = (options: Buffer[], re: RegExp): void =>
    expectError(t, Buffer.concat([h, idb(1, 0, true, options)]), 'EBADFILE', h.length, 0, re);
  idbErr([opt(9, Buffer.from([6, 6]))], /if_tsresol with length 2/);
  idbErr([opt(9, Buffer.from([6])), opt(9, Buffer.from([9]))], /more than one if_tsresol/);
  idbErr([opt(9, Buffer.from([20]))], /10\^-20 too fine/);
  idbErr([opt(9, Buffer.from([0x80 | 64]))], /2\^-64 too fine/);
  idbErr([opt(14, Buffer.alloc(4))], /if_tsoffset with length 4/);
  idbErr([Buffer.from([2, 0, 200, 0, 0, 0, 0, 0])], /cut short/);
  idbErr([Buffer.from([0, 0, 4, 0, 0, 0, 0, 0])], /opt_endofopt with length 4/);
  // SHB options are not (libpcap ignores them): a malformed one only ends the walk.
  t.equal(readAll(shb(true, [opt(1, 'ok'), Buffer.from([1, 0, 200, 0])])).error, null);
  t.same(readAll(shb(true, [opt(1, 'ok'), Buffer.from([1, 0, 200, 0])])).parser?.comments, ['ok']);
  // Unknown block types are skipped, whatever they hold.
  const skipped = readAll(Buffer.concat([one, block(0x12345678, pkt(100)), epb(0, 0n, pkt(10)), endOpt().subarray(0, 0)]));
  t.same([skipped.error, skipped.packets.length], [null, 1]);
});

t.test('parse() contract: sink refusal, needed, byte-at-a-time feeding', async (t) => {
  const file = Buffer.concat([pcapHeader(), ...[1, 2, 3].map((i) => pcapRecord(pkt(50 + i, i), { tsSec: i }))]);
  const o = openParser(file, 0, file.length)!;
  t.equal(o.consumed, 24);
  let calls = 0;
  // Refuse the second packet: parse stops before it and does not consume it.
  const n1 = o.parser.parse(file, 24, file.length, 24, () => ++calls < 2);
  t.equal(n1, 16 + 51, 'consumed the first record only');
  t.equal(calls, 2);
  const seen: number[] = [];
  const n2 = o.parser.parse(file, 24 + n1, file.length, 24 + n1, (off, caplen) => { seen.push(file[off], caplen); return true; });
  t.same(seen, [2, 52, 3, 53], 'the refused packet comes again');
  t.equal(24 + n1 + n2, file.length);
  t.equal(o.parser.needed, 0);

  // An incomplete record reports how many bytes it needs.
  const p2 = openParser(file, 0, file.length)!.parser;
  t.equal(p2.parse(file, 24, 30, 24, () => true), 0);
  t.equal(p2.needed, 16);
  t.equal(p2.parse(file, 24, 50, 24, () => true), 0);
  t.equal(p2.needed, 67);

  // Feeding in every window size from 1 byte gives the same packets.
  const ng = Buffer.concat([shb(true, [opt(1, 'c'), endOpt()]), idb(1, 0), ...[1, 2, 3].map((i) => epb(0, BigInt(i) * 1_000_000n, pkt(10 * i, i)))]);
  for (const f of [file, ng]) {
    const want = readAll(f).packets;
    for (let w = 1; w <= 40; w++) {
      const got = readAll(f, w);
      if (got.error || got.packets.length !== want.length || got.packets.some((p, i) => !p.data.equals(want[i].data))) {
        t.fail(`window ${w} differs`);
      }
    }
  }
  t.pass('windows of 1 to 40 bytes read the same');
});
