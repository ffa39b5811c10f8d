// compat/pcap's decoders against npm pcap 3.1.0's own, object by object,
// on every packet of the tcpdump corpus whose link type npm pcap decodes:
// the whole object graph (util.inspect: class names, field names, values,
// field order), toString(), and the events emitted on an emitter, in order.
// Where npm pcap throws, ours must not. Also: the module tree (every path
// npm pcap users require) and its export shapes.
import t from 'tap';
import { EventEmitter } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { corpusDir, loadCorpusPackets } from '../bench/pcap-corpus';
import type { CorpusPacket } from '../bench/pcap-corpus';
import { npmPcapDir, quietly } from './helpers/npm-pcap';

interface DecodeModule { decode: { packet(p: object, emitter?: object): object } }
const OURS = join(__dirname, '..', 'compat', 'pcap');

/** Decode, print and record events; a throw at any step is the result. */
function run(mod: DecodeModule, p: CorpusPacket): { shape: string; text: string; json: string; events: string } | { threw: string } {
  const events: string[] = [];
  const emitter = new EventEmitter();
  const emit = emitter.emit.bind(emitter);
  emitter.emit = (name: string | symbol, ...args: unknown[]) => {
    events.push(`${String(name)}:${(args[0] as object)?.constructor?.name}`);
    return emit(name, ...args);
  };
  try {
    return quietly(() => {
      const plain = mod.decode.packet(p);
      mod.decode.packet(p, emitter);
      let json: string;
      try { json = JSON.stringify(plain); } catch (e) { json = `JSON.stringify throws ${(e as Error).name}`; }
      return { shape: inspect(plain, { depth: Infinity }), text: String(plain), json, events: events.join(' ') };
    });
  } catch (e) {
    return { threw: String(e) };
  }
}

t.test('decode.packet: the same objects as npm pcap 3.1.0 on the tcpdump corpus', async (t) => {
  const theirDir = npmPcapDir(t);
  if (!theirDir) return;
  const dir = corpusDir();
  if (!dir) {
    if (process.env.CI === 'true') t.fail('../shared/corpus/tcpdump-tests is missing');
    else t.plan(0, 'skip: no corpus');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const theirs = require(join(theirDir, 'decode')) as DecodeModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ours = require(join(OURS, 'decode')) as DecodeModule;
  const packets = await loadCorpusPackets(dir);
  let compared = 0;
  let theyThrew = 0;
  const differ: string[] = [];
  const weThrew: string[] = [];
  const linkTypes = new Set<string>();
  for (const p of packets) {
    const a = run(theirs, p);
    const b = run(ours, p);
    const where = `${p.file} #${p.index}`;
    if ('threw' in b) { weThrew.push(`${where}: ${b.threw}`); continue; }
    if ('threw' in a) { theyThrew++; continue; }
    compared++;
    linkTypes.add(p.link_type);
    if (a.shape !== b.shape || a.text !== b.text || a.json !== b.json || a.events !== b.events) {
      differ.push(`${where}:\n theirs ${a.text}\n ours   ${b.text}\n theirs events ${a.events}\n ours   events ${b.events}`);
    }
  }
  t.ok(compared >= 5000, `${compared} packets compared (of ${packets.length})`);
  // npm pcap throws on every radiotap packet of the corpus (their field sets
  // or lengths are beyond it); radiotap is compared on crafted frames below.
  t.same([...linkTypes].sort(), ['LINKTYPE_ETHERNET', 'LINKTYPE_LINUX_SLL', 'LINKTYPE_NULL', 'LINKTYPE_RAW'],
    'every other link type npm pcap decodes is among them');
  t.same(differ.slice(0, 5), [], `${differ.length} packets decode differently`);
  t.same(weThrew.slice(0, 5), [], 'ours never throws (decode, toString)');
  t.ok(theyThrew > 1000, `npm pcap throws on ${theyThrew} of them; ours decodes them all`);
});

/** Every file npm pcap users can require: its .js (and .json) files but the build, spec and examples. */
function moduleFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const rel = relative(root, full);
    if (statSync(full).isDirectory()) {
      if (['node_modules', 'build', 'spec', 'examples', 'src'].includes(name)) continue;
      out.push(...moduleFiles(root, full));
    } else if ((rel.startsWith('decode') && /\.(js|json)$/.test(name)) ||
      ['pcap.js', 'util.js', 'tcp_tracker.js', 'dns_cache.js'].includes(rel)) {
      out.push(rel);
    }
  }
  return out.sort();
}

/** What a module exports, as a comparable description. */
function describe(x: unknown, depth = 1): unknown {
  if (typeof x === 'function') {
    const proto = (x as { prototype?: Record<string, unknown> }).prototype ?? {};
    // npm pcap's top-level functions are anonymous; its classes are named.
    return { function: x.name && /^[A-Z]/.test(x.name) ? x.name : 'function', decoderName: proto.decoderName,
      eventsOnDecode: proto.eventsOnDecode };
  }
  if (Array.isArray(x)) return x.map((v) => (v === undefined ? null : describe(v, 0)));
  if (x !== null && typeof x === 'object' && depth > 0) {
    return Object.fromEntries(Object.keys(x).sort().map((k) => [k, describe((x as Record<string, unknown>)[k], depth - 1)]));
  }
  return typeof x;
}

t.test('the module tree: every path of npm pcap, with the same exports', async (t) => {
  const theirDir = npmPcapDir(t);
  if (!theirDir) return;
  const files = moduleFiles(theirDir);
  t.equal(files.length, 34, 'npm pcap 3.1.0 has 34 module files');
  for (const rel of files) {
    const ourRel = rel.replace(/\.js$/, '.ts');
    t.test(rel, async (t) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mine = require(join(OURS, ourRel));
      if (rel.endsWith('.json')) return t.ok(Object.keys(mine).length >= 24, 'radiotap fields');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const theirs = require(join(theirDir, rel));
      const a = describe(theirs) as Record<string, unknown>;
      const b = describe(mine) as Record<string, unknown>;
      if (rel === 'decode/ip_protocols.js') {
        // npm pcap's own require cycle leaves entry 4 (IPv4) an empty object.
        t.same((a as unknown as unknown[])[4], 'object');
        (a as unknown as unknown[])[4] = (b as unknown as unknown[])[4];
      }
      if (rel === 'pcap.js') {
        // Ours also exports the PacketWithHeader class its events carry.
        t.equal((b.PacketWithHeader as { function: string }).function, 'PacketWithHeader');
        delete b.PacketWithHeader;
      }
      t.same(b, a);
    });
  }
});

t.test('every path resolves to the class the decoders build (instanceof holds)', async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (p: string) => require(join(OURS, p));
  const frame = Buffer.from('020000000002020000000001080045000032000040004006' +
    '0000c6120001c6120002d431005000000001000000005018020000000000000102030405060708090a', 'hex');
  const header = Buffer.alloc(16);
  header.writeUInt32LE(frame.length, 8);
  header.writeUInt32LE(frame.length, 12);
  const p = req('pcap').decode.packet({ buf: frame, header, link_type: 'LINKTYPE_ETHERNET' });
  t.ok(p instanceof req('decode/pcap_packet'));
  t.ok(p.payload instanceof req('decode/ethernet_packet'));
  t.ok(p.payload.payload instanceof req('decode/ipv4'));
  t.equal(req('decode').IPv4Packet, req('decode/ipv4'));
  t.ok(p.payload.payload.payload instanceof req('decode/tcp'));
  t.equal(req('decode/ip_protocols')[6], req('decode/tcp'));
  t.ok(p.payload.payload.saddr instanceof req('decode/ipv4_addr'));
  t.equal(req('pcap').decode, req('pcap').decode.packet);
  t.equal(req('pcap').Pcap, req('pcap').PcapSession);

  // Fields built on first read hold what the packet said when it was decoded,
  // even after its buffer is reused (as a ring's is), and stay the same objects.
  const fresh = Buffer.from(frame);
  const q = req('pcap').decode.packet({ buf: fresh, header, link_type: 'LINKTYPE_ETHERNET' });
  fresh.fill(0xee, 0, 54);
  t.equal(String(q.payload.shost), '02:00:00:00:00:01');
  t.same(q.payload.payload.daddr.addr, [198, 18, 0, 2]);
  t.equal(q.payload.payload.flags.doNotFragment, true);
  t.equal(q.payload.payload.payload.flags.psh, true);
  t.equal(q.payload.dhost, q.payload.dhost, 'the same object each time');
  t.equal(q.payload.payload.payload.data.length, 10, 'data is a view (its bytes are the buffer\'s)');
  q.payload.payload.saddr = 'replaced';
  t.equal(q.payload.payload.saddr, 'replaced', 'assignable, as plain fields are');
});

/** A radiotap header npm pcap can decode: flags, rate, channel, antenna signal. */
function radiotap(): Buffer {
  const h = Buffer.alloc(15);
  h.writeUInt16LE(15, 2);
  h.writeUInt32LE((1 << 1) | (1 << 2) | (1 << 3) | (1 << 5), 4);
  h[8] = 0x10; // flags
  h[9] = 12; // rate, 6 Mb/s
  h.writeUInt16LE(2437, 10); // channel 6
  h.writeUInt16LE(0x00a0, 12);
  h[14] = 0xc4; // -60 dBm
  return h;
}

/** 802.11 header: frame control, duration, three addresses, sequence. */
function mac(fc: number): Buffer {
  const m = Buffer.alloc(24);
  m.writeUInt16LE(fc, 0);
  m.writeUInt16LE(314, 2);
  for (let i = 0; i < 18; i++) m[4 + i] = 0x10 + i;
  m.writeUInt16LE(0x1230, 22);
  return m;
}

const tag = (id: number, value: Buffer | string): Buffer => Buffer.concat([Buffer.from([id, value.length]), Buffer.from(value)]);

t.test('radiotap and 802.11: the same objects as npm pcap on crafted frames', async (t) => {
  const theirDir = npmPcapDir(t);
  if (!theirDir) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const theirs = require(join(theirDir, 'decode')) as DecodeModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ours = require(join(OURS, 'decode')) as DecodeModule;
  const tags = Buffer.concat([tag(0, 'netmap-test'), tag(1, Buffer.from([0x82, 0x84, 0x8b, 0x96])), tag(3, Buffer.from([6])),
    tag(48, Buffer.alloc(20, 1)), tag(221, Buffer.alloc(9, 2)), Buffer.alloc(4)]);
  const ipUdp = Buffer.from('4500001c000040004011000' + '0c6120001c612000204d2003500080000', 'hex');
  const frames: [string, Buffer][] = [
    ['beacon', Buffer.concat([radiotap(), mac(0x0080), Buffer.alloc(12, 7), tags])],
    ['probe request', Buffer.concat([radiotap(), mac(0x0040), tags])],
    ['data, LLC/SNAP, IPv4, UDP', Buffer.concat([radiotap(), mac(0x0208), Buffer.from('aaaa03000000', 'hex'),
      Buffer.from('0800', 'hex'), ipUdp])],
    ['data, encrypted', Buffer.concat([radiotap(), mac(0x4208), Buffer.alloc(40, 9)])],
    ['data, unknown LLC', Buffer.concat([radiotap(), mac(0x0208), Buffer.from('4242030000000800', 'hex')])],
    ['control frame (ACK)', Buffer.concat([radiotap(), mac(0x00d4)])],
  ];
  for (const [name, buf] of frames) {
    const header = Buffer.alloc(16);
    header.writeUInt32LE(buf.length, 8);
    header.writeUInt32LE(buf.length, 12);
    const p = { buf, header, link_type: 'LINKTYPE_IEEE802_11_RADIO', file: name, index: 0 };
    const a = run(theirs, p);
    const b = run(ours, p);
    t.notOk('threw' in a, `${name}: npm pcap decodes it`);
    t.same(b, a, `${name}: same objects, text and events`);
  }
});
