// compat/pcap where npm pcap 3.1.0 crashes or hangs: each case is checked
// against npm pcap (it must really throw there, so the case means
// something) unless it would hang it; ours decodes. Then a fuzz run of
// mutated corpus packets and random bytes: no throw, no hang.
import t, { Test } from 'tap';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { corpusDir, loadCorpusPackets } from '../bench/pcap-corpus';
import type { PacketWithHeader } from '../compat/pcap-internal/types';
import { prng } from './fixtures/savefile/util';
import { npmPcapDir, quietly } from './helpers/npm-pcap';
import * as ours from '../compat/pcap/decode';

type Decoded = ReturnType<typeof ours.decode> & { payload: any };

function packet(hex: string, link_type = 'LINKTYPE_ETHERNET') {
  const buf = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const header = Buffer.alloc(16);
  header.writeUInt32LE(buf.length, 8);
  header.writeUInt32LE(buf.length, 12);
  return { buf, header, link_type };
}

const ETH = '020000000002 020000000001 0800';
const ETH_HEX = ETH.replace(/ /g, '');
/** IPv4 header, protocol `proto`, total length `len`, 198.18.0.1 -> 198.18.0.2. */
const ip = (proto: number, len: number) =>
  `4500${len.toString(16).padStart(4, '0')}00004000 40${proto.toString(16).padStart(2, '0')}0000 c6120001 c6120002`;
/** TCP header with `opts` (hex, a multiple of 4 bytes). */
const tcp = (opts: string) => {
  const words = 5 + opts.length / 8;
  return `d4310050 00000001 00000000 ${(words << 4).toString(16)}02 ffff 0000 0000 ${opts}`;
};

const CASES: { name: string; pkt: ReturnType<typeof packet>; hangsTheirs?: boolean; check(p: Decoded, t: Test): void }[] = [];

CASES.push({
  name: 'unknown TCP option kind (30, MPTCP) is skipped, the MSS after it read',
  pkt: packet(ETH + ip(6, 20 + 32) + tcp('1e040000 020405b4 01010402')),
  check(p, t) {
    const o = p.payload.payload.payload.options;
    t.equal(o.mss, 1460);
    t.equal(o.sack_ok, true);
    t.match(String(p), /TCP 54321->80 seq 1 ack 0 flags \[s\] win 65535 csum 0 \[mss:1460 sack_ok\] len 0$/);
  },
});
CASES.push({
  name: 'toString() of a frame with an unknown ethertype',
  pkt: packet(`${ETH_HEX.slice(0, 24)}88b5 000102030405060708090a0b0c0d0e0f`),
  check(p, t) {
    t.equal(p.payload.ethertype, 0x88b5);
    t.equal(p.payload.payload, null);
    t.equal(String(p), 'LINKTYPE_ETHERNET 02:00:00:00:00:01 -> 02:00:00:00:00:02 ethertype 34997');
  },
});
CASES.push({
  name: 'toString() of an 802.3 frame (length, not ethertype)',
  pkt: packet(`${ETH_HEX.slice(0, 24)}0026 424203000000000000`),
  check(p, t) {
    t.equal(p.payload.ethertype, 0);
    t.equal(String(p), 'LINKTYPE_ETHERNET 02:00:00:00:00:01 -> 02:00:00:00:00:02 ethertype 0');
  },
});
CASES.push({
  name: 'radiotap revision 1',
  pkt: packet('01000900 04000000 0c' + '8000' + '0000' + 'ff'.repeat(18) + '0000', 'LINKTYPE_IEEE802_11_RADIO'),
  check(p, t) {
    t.equal(p.payload.headerRevision, 1);
    t.equal(p.payload.fields.rate, 12);
    t.match(p.payload._error, /revision 1/);
    t.equal(p.payload.ieee802_11Frame.subType, 8, 'the beacon behind it decoded');
  },
});
CASES.push({
  name: 'radiotap field names that are not identifiers (fhss)',
  pkt: packet('00000a00 10000000 0507' + '8000' + '0000' + 'ff'.repeat(18) + '0000', 'LINKTYPE_IEEE802_11_RADIO'),
  check(p, t) {
    t.same(p.payload.fields, { fhss: { 'hop set': 5, 'hop pattern': 7 } });
    t.equal(p.payload._error, undefined);
  },
});
CASES.push({
  name: 'IPv4 in IPv4 (npm pcap\'s table entry 4 is an empty object)',
  pkt: packet(ETH + ip(4, 20 + 20 + 8) + ip(17, 28) + '04d2 0035 0008 0000'),
  check(p, t) {
    const inner = p.payload.payload.payload;
    t.equal(inner.constructor.name, 'IPv4');
    t.equal(inner.payload.dport, 53);
    t.match(String(p), /IPv4 198\.18\.0\.1 -> 198\.18\.0\.2 flags \[d\] IPv4 198\.18\.0\.1 -> 198\.18\.0\.2 flags \[d\] UDP/);
  },
});
CASES.push({
  name: 'a TCP header cut off by the capture',
  pkt: packet(ETH + ip(6, 40) + 'd4310050 0000'),
  check(p, t) {
    const seg = p.payload.payload.payload;
    t.match(seg._error, /truncated TCP header/);
    t.equal(seg.sport, undefined);
    t.match(String(p), /TCP undefined->undefined/);
  },
});
CASES.push({
  name: 'experimental TCP option of length 0 (npm pcap loops forever)',
  hangsTheirs: true,
  pkt: packet(ETH + ip(6, 20 + 24) + tcp('fe000000')),
  check(p, t) {
    t.match(p.payload.payload.payload.options._error, /TCP option 254 has length 0/);
  },
});
CASES.push({
  name: 'a DNS name that runs off the end (npm pcap\'s UDP toString loops forever)',
  hangsTheirs: true,
  pkt: packet(ETH + ip(17, 20 + 8 + 16) + '04d2 0035 0018 0000' + '1234 0100 0001 0000 0000 0000 3f41 4242'),
  check(p, t) {
    t.match(String(p), /UDP 1234->53 len 24 DNS \{ isResponse:false/);
  },
});

t.test('where npm pcap 3.1.0 throws or hangs, ours decodes', async (t) => {
  const theirDir = npmPcapDir(t);
  if (!theirDir) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const theirs = require(join(theirDir, 'decode')) as typeof ours;
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      if (!c.hangsTheirs) {
        t.throws(() => quietly(() => String(theirs.decode.packet(c.pkt))), 'npm pcap throws here');
      }
      const emitter = new EventEmitter();
      const p = ours.decode.packet(c.pkt, emitter) as Decoded;
      t.doesNotThrow(() => String(p));
      c.check(p, t);
    });
  }
});

t.test('fuzz: 100,000 mutated and random packets, every link type: no throw, no hang', async (t) => {
  const dir = corpusDir();
  const seeds: PacketWithHeader[] = dir ? await loadCorpusPackets(dir, 3000) : [];
  if (seeds.length === 0) seeds.push(packet(ETH + ip(6, 40) + tcp('')));
  const rnd = prng(0x5eed);
  const LINKS = ['LINKTYPE_ETHERNET', 'LINKTYPE_NULL', 'LINKTYPE_RAW', 'LINKTYPE_LINUX_SLL', 'LINKTYPE_IEEE802_11_RADIO'];
  const emitter = new EventEmitter();
  emitter.on('tcp', () => {});
  const failures: string[] = [];
  const started = Date.now();
  let done = 0;
  for (; done < 100_000 && Date.now() - started < 120_000; done++) {
    const seed = seeds[Math.floor(rnd() * seeds.length)];
    let buf: Buffer;
    const how = rnd();
    if (how < 0.1) {
      buf = Buffer.alloc(Math.floor(rnd() * 200));
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rnd() * 256);
    } else {
      buf = Buffer.from(seed.buf.subarray(0, how < 0.4 ? Math.floor(rnd() * (seed.buf.length + 1)) : seed.buf.length));
      const flips = 1 + Math.floor(rnd() * 8);
      for (let i = 0; i < flips && buf.length > 0; i++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
    }
    const header = Buffer.alloc(16);
    header.writeUInt32LE(buf.length, 8);
    header.writeUInt32LE(buf.length, 12);
    const link_type = rnd() < 0.8 ? seed.link_type : LINKS[Math.floor(rnd() * LINKS.length)];
    try {
      String(ours.decode.packet({ buf, header, link_type }, rnd() < 0.5 ? emitter : undefined));
    } catch (e) {
      if (failures.length < 5) failures.push(`${link_type} ${buf.toString('hex')}: ${(e as Error).stack}`);
    }
  }
  t.equal(done, 100_000, 'all packets within the time bound');
  t.same(failures, [], 'no throw');
});
