// Every ```js example in docs/ runs here, as a user would paste it, with
// only device and file names replaced and, where an example is a fragment,
// the few lines around it that it takes for granted (a session, a count).
// Live examples read a pipe: port this test feeds (no root, no network),
// except the AF_XDP one, which needs a real interface: a veth in a
// namespace of the test's own. An example this table does not know fails
// the test, so a new one gets run too.
import t, { Test } from 'tap';
import { readdirSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { spawnCollect, repoRoot, ChildResult } from './helpers/child';
import { jsBlocks, sandbox, script } from './helpers/examples';
import { Netns, requireRoot } from './helpers/netns';
import { openOffline } from '../index';

const DOCS = path.join(repoRoot, 'docs');
const CORPUS = path.join(repoRoot, '..', 'shared', 'corpus', 'tcpdump-tests');
const TCP_CAPTURE = path.join(CORPUS, 'whois.pcap'); // one whole TCP connection

let pipes = 0;
const pipeName = () => `docex${process.pid}x${pipes++}`;

/** Code that opens the master end of `name` and sends `frames` (an
 * expression), then closes it after `ms`. */
function feeder(name: string, frames: string, ms = 400): string {
  return `
{ const { openLive: feedOpen, craftFrame: feedCraft, parseMac: feedMac, parseIpv4: feedIp } = require('netmap-pcap');
  const feedA = { srcMac: feedMac('02:00:00:00:00:01'), dstMac: feedMac('02:00:00:00:00:02'),
    srcIp: feedIp('198.18.0.1'), dstIp: feedIp('198.18.0.2') };
  const dnsQuery = Buffer.from('123401000001000000000000076578616d706c65036f72670000010001', 'hex');
  const feed = feedOpen('pipe:${name}{0');
  feed.injectBatch(${frames});
  setTimeout(() => feed.close(), ${ms}); }
`;
}
const DNS_AND_SYN = `[feedCraft({ ...feedA, proto: 'udp', size: 60 + dnsQuery.length, srcPort: 5353, dstPort: 53, payload: dnsQuery }),
  feedCraft({ ...feedA, proto: 'tcp-syn', size: 60, srcPort: 40000, dstPort: 443 })]`;

interface Run {
  /** Lines the example takes for granted, before it. */
  before?: string;
  /** After it: feed it, end it, print what the check looks at. */
  after?: string;
  /** [from, to] replacements: device and file names only. */
  replace?: [string, string][];
  /** Run inside a namespace with a veth pair va/vb (needs root). */
  netns?: boolean;
  /** An ES module (import statements): run as example.mjs, as written. */
  esm?: boolean;
  /** A VM or hardware is needed: compiled only, with the reason. */
  compileOnly?: string;
  check: (t: Test, r: ChildResult, dir: string) => Promise<void> | void;
}

/** Examples by file and first line. */
function runs(): Record<string, Run> {
  const p1 = pipeName();
  const p4 = pipeName();
  const p5 = pipeName();
  const pf = pipeName();
  const pd = pipeName();
  const pa = pipeName();
  const pb = pipeName();
  return {
    "api.md#const { openLive, decodePacket, findLayer } = require('netmap-pcap');": {
      replace: [["'eth0'", `'pipe:${p1}}0'`]],
      after: feeder(p1, DNS_AND_SYN) + "s.on('error', () => s.close());",
      check: (t, r) => {
        t.match(r.stdout, /198\.18\.0\.1:40000 > 198\.18\.0\.2:443/, 'the SYN, decoded');
        t.match(r.stdout, /4660 \[ 'example\.org' \] \[\]/, 'the DNS query, decoded');
      },
    },
    "api.md#const { openOffline } = require('netmap-pcap');": {
      // trace.pcapng: written by writeTrace() before the run
      check: (t, r) => {
        const lines = r.stdout.trim().split('\n');
        t.equal(lines.length, 2, 'the two port-443 packets of trace.pcapng');
        for (const l of lines) t.match(l, /^\d+ \d+ 60 1$/);
      },
    },
    "api.md#const s = await openOffline('cut.pcap');": {
      // A real capture cut in its last record: its whole packets, then ETRUNC ends the session.
      before: `const { openOffline } = require('netmap-pcap');
const fs = require('node:fs');
const whole = fs.readFileSync(${JSON.stringify(TCP_CAPTURE)});
fs.writeFileSync('cut.pcap', whole.subarray(0, whole.length - 10));
const onPacket = () => {};`,
      check: async (t, r) => {
        let whole = 0;
        for await (const _ of await openOffline(TCP_CAPTURE)) whole++;
        t.same(r.stdout.trim().split('\n'), [`ETRUNC true ${whole - 1}`, 'ECLOSED true'],
          'every packet before the cut, then the session ended with the error as cause');
      },
    },
    'api.md#const ring = file.rxRing();': {
      before: `const { openOffline } = require('netmap-pcap');
const file = await openOffline(${JSON.stringify(TCP_CAPTURE)});
let count = 0;`,
      after: 'console.log(count);',
      check: async (t, r) => {
        let expected = 0;
        for await (const p of await openOffline(TCP_CAPTURE)) expected += p.caplen;
        t.equal(Number(r.stdout.trim()), expected, 'the ring walk counted every byte');
      },
    },
    "api.md#const { openLive, dumpOpen } = require('netmap-pcap');": {
      replace: [["'eth0'", `'pipe:${p4}}0'`]],
      after: feeder(p4, DNS_AND_SYN, 1000) + "setTimeout(() => process.kill(process.pid, 'SIGINT'), 500);",
      check: async (t, r, dir) => {
        t.equal(r.code, 0, r.stderr);
        const got = [];
        for await (const p of await openOffline(path.join(dir, 'capture.pcapng'))) got.push(p.len);
        t.same(got, [89, 60], 'both frames written as pcapng');
      },
    },
    'api.md#// Two ports, one file: an interface block each, their counters at the end.': {
      replace: [["'eth0'", `'pipe:${pa}}0'`], ["'eth1'", `'pipe:${pb}}0'`]],
      after: feeder(pa, DNS_AND_SYN, 1000) + feeder(pb, DNS_AND_SYN, 1000) +
        "setTimeout(() => process.kill(process.pid, 'SIGINT'), 500);",
      check: async (t, r, dir) => {
        t.equal(r.code, 0, r.stderr);
        const file = await openOffline(path.join(dir, 'two.pcapng'));
        const got = [];
        for await (const p of file) got.push(p.len);
        t.same(got.sort(), [60, 60, 89, 89], 'both frames of both ports');
        t.same(file.interfaces.map((i) => i.name), [`pipe:${pa}}0`, `pipe:${pb}}0`], 'an interface block per port');
        t.ok(file.comments.includes('rack 4, before the upgrade'), 'the file comment');
      },
    },
    'api.md#const rx = session.rxRing();': {
      before: `const { openLive, ringLayout } = require('netmap-pcap');
const session = openLive('pipe:${p5}}0');` + feeder(p5, DNS_AND_SYN, 100) + `
session.waitReadable(2000);`,
      after: "console.log(i === rx.head ? 'walked' : 'not walked'); session.close();",
      check: (t, r) => { t.equal(r.stdout.trim(), 'walked'); },
    },
    "api.md#const { craftFrame, parseMac, parseIpv4 } = require('netmap-pcap');": {
      after: "console.log(frame.length, frame.readUInt16BE(12).toString(16), frame[23]);",
      check: (t, r) => { t.equal(r.stdout.trim(), '60 800 17', 'a 60-byte IPv4/UDP frame'); },
    },
    "backends.md#const s = openLive('xdp:eth0-2', { filter: 'udp' });   // queue 2 of eth0": {
      netns: true,
      replace: [["'xdp:eth0-2'", "'xdp:vb'"]],
      before: "const { openLive } = require('netmap-pcap');",
      after: 'console.log(s.stats().mode); s.close();',
      check: (t, r) => { t.match(r.stdout.trim(), /^(zerocopy|copy|generic)$/); },
    },
    "backends.md#const a = openLive('vale0:a'), b = openLive('vale0:b');   // two ports of switch vale0": {
      compileOnly: 'VALE needs the netmap module: test/netmap-vm.test.ts runs these calls in the netmap VM',
      check: () => {},
    },
    'backends.md#// process A: send': {
      before: `const { craftFrame, parseMac, parseIpv4 } = require('netmap-pcap');
const frames = [60, 1000].map((size) => craftFrame({ proto: 'udp', size, srcMac: parseMac('02:00:00:00:00:01'),
  dstMac: parseMac('02:00:00:00:00:02'), srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.18.0.2') }));`,
      replace: [["'pipe:demo{0'", `'pipe:${pd}{0'`], ["'pipe:demo}0'", `'pipe:${pd}}0'`]],
      after: "setTimeout(() => a.close(), 300); b.on('error', () => b.close());",
      check: (t, r) => {
        t.match(r.stdout, /^60 \d+\n1000 \d+\nEPIPE\n$/, 'both frames, then EPIPE once A has gone');
      },
    },
    'backends.md#const tx = a.txRing();': {
      before: `const { openLive, ringLayout } = require('netmap-pcap');
const b = openLive('pipe:${pf}}0');
const a = openLive('pipe:${pf}{0');
let left = 5;
const more = () => left-- > 0;
const frame = Buffer.alloc(60, 0xab);
const writeFrame = (bytes, offset) => { bytes.set(frame, offset); return frame.length; };`,
      after: `let got = 0;
while (b.waitReadable(1000)) { got += b.dispatch(0, (d) => { if (!d.equals(frame)) throw new Error('bytes'); }); if (got >= 5) break; }
console.log(got); a.close(); b.close();`,
      check: (t, r) => { t.equal(r.stdout.trim(), '5', 'the five frames the walk wrote'); },
    },
    "flows.md#const { openLive, openOffline, FlowEngine } = require('netmap-pcap');": {
      replace: [["'eth0'", `'pipe:${pipeName()}}0'`], ["'trace.pcap'", JSON.stringify(TCP_CAPTURE)]],
      after: 'detach(); live.close(); console.log(engine.stats().packets);',
      check: async (t, r) => {
        let n = 0;
        for await (const p of await openOffline(TCP_CAPTURE)) n += p.len > 0 ? 1 : 0;
        t.equal(Number(r.stdout.trim()), n, 'the engine saw every packet of the file');
      },
    },
    'flows.md#engine.tcp.on(\'connection\', (conn) => {': {
      before: "const { FlowEngine, openOffline } = require('netmap-pcap');\nconst engine = new FlowEngine();\nlet conns = 0;",
      after: `engine.tcp.on('connection', () => conns++);
const file = await openOffline(${JSON.stringify(TCP_CAPTURE)});
await file.loop(-1, (d, h) => engine.push(d, h, file.datalink()));
engine.flush(); console.log(conns);`,
      check: (t, r) => { t.equal(r.stdout.trim(), '1', 'the one connection'); },
    },
    "flows.md#const { FlowEngine, flowToJsonLine, flowToCsvLine, FLOW_CSV_HEADER } = require('netmap-pcap');": {
      after: `const { openOffline } = require('netmap-pcap');
const file = await openOffline(${JSON.stringify(TCP_CAPTURE)});
await file.loop(-1, (d, h) => engine.push(d, h, file.datalink()));
engine.flush();`,
      check: (t, r) => {
        const lines = r.stdout.trim().split('\n');
        t.ok(lines.length >= 2, 'a header and the flows');
        t.equal(lines[1].split(',').length, lines[0].split(',').length, 'as many fields as the header');
      },
    },
    "flows.md#const { IpfixExporter } = require('netmap-pcap');": {
      // The collector is this test's own UDP socket on loopback.
      replace: [["host: '192.0.2.10', port: 4739", 'host: \'127.0.0.1\', port: Number(process.env.COLLECTOR)'],
        ['// … at the end:', `const { openOffline } = require('netmap-pcap');
const file = await openOffline(${JSON.stringify(TCP_CAPTURE)});
await file.loop(-1, (d, h) => engine.push(d, h, file.datalink()));`]],
      before: "const { FlowEngine } = require('netmap-pcap');\nconst engine = new FlowEngine();",
      check: () => {}, // judged by the collector, in the test below
    },
    "flows.md#const { flowHash, flowWorker } = require('netmap-pcap');": {
      before: `const { craftFrame, parseMac, parseIpv4 } = require('netmap-pcap');
const mk = (a, b, sp, dp) => craftFrame({ srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('02:00:00:00:00:02'),
  srcIp: parseIpv4(a), dstIp: parseIpv4(b), proto: 'udp', size: 60, srcPort: sp, dstPort: dp });
const data = mk('198.18.0.1', '198.18.0.2', 5000, 53);
const linktype = 1;`,
      after: "console.log(h === flowHash(mk('198.18.0.2', '198.18.0.1', 53, 5000), 1), w >= 0 && w < 4);",
      check: (t, r) => { t.equal(r.stdout.trim(), 'true true', 'the reply hashes alike; a worker in 0..3'); },
    },
    'flows.md#// main thread: the capture, and the distributor': (() => {
      const src = pipeName();
      const name = pipeName();
      const worker = jsBlocks(path.join(DOCS, 'flows.md')).find((b) => b.startsWith('// worker.js'))!;
      return {
        // worker.js is the next example, as written; the capture is a pipe this test feeds.
        replace: [["'eth0'", `'pipe:${src}}0'`], ["name: 'work'", `name: '${name}'`]],
        before: `require('node:fs').writeFileSync('worker.js', ${JSON.stringify(worker)});`,
        // The stand-in capture ends (EPIPE) when the feeder closes; eth0 would not.
        after: `cap.on('error', () => {});
${feeder(src, DNS_AND_SYN)}
setTimeout(() => { console.log(JSON.stringify(fan.stats().total)); process.exit(0); }, 1500);`,
        check: (t, r) => {
          const total = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
          t.same(total, { packets: 2, bytes: total.bytes, drops: 0 }, 'both frames went to a worker, none dropped');
        },
      };
    })(),
    'flows.md#// worker.js: one share of the flows, a flow table of its own': {
      compileOnly: 'it runs as worker.js of the FanOut example before it',
      check: () => {},
    },
    "flows.md#const pcap = require('netmap-pcap/pcap');   // or require('pcap') with the register hook": {
      replace: [["'trace.pcap'", JSON.stringify(TCP_CAPTURE)]],
      before: 'let sessions = 0; let ends = 0; let bytes = 0;',
      after: `tracker.on('session', (s) => { sessions++; s.on('data recv', (_s, d) => { bytes += d.length; }); s.on('end', () => ends++); });
capture.on('complete', () => console.log(sessions, ends, bytes > 0));`,
      check: (t, r) => { t.equal(r.stdout.trim(), '1 1 true', "the one connection: 'session', its bytes, 'end'"); },
    },
    "migrating.md#const { Cap, decoders } = require('netmap-pcap/cap'); // was require('cap')": {
      after: 'console.log(typeof Cap, typeof decoders.Ethernet);',
      check: (t, r) => { t.equal(r.stdout.trim(), 'function function'); },
    },
    "migrating.md#import pcap from 'netmap-pcap/pcap';              // was: from 'pcap'": {
      esm: true,
      after: 'console.log(typeof pcap.createSession, createSession === pcap.createSession, typeof decode.packet, typeof Cap, typeof decoders.TCP);',
      check: (t, r) => { t.equal(r.stdout.trim(), 'function true function function function'); },
    },
    "migrating.md#const pcap = require('netmap-pcap/pcap');   // was: require('pcap')": {
      after: 'console.log(typeof pcap.createSession, typeof pcap.decode.packet);',
      check: (t, r) => { t.equal(r.stdout.trim(), 'function function'); },
    },
  };
}

const table = runs();
const found = readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort()
  .flatMap((f) => jsBlocks(path.join(DOCS, f)).map((code) => ({ key: `${f}#${code.split('\n')[0]}`, code })));

t.test('every example in docs/ is in this table', async (t) => {
  for (const { key } of found) t.ok(table[key], `${key} is run by this test`);
  for (const key of Object.keys(table)) t.ok(found.some((f) => f.key === key), `${key} is still in docs/`);
});

for (const { key, code } of found) {
  const run = table[key];
  if (!run) continue;
  t.test(key, async (t) => {
    const dir = sandbox();
    let body = code;
    for (const [from, to] of run.replace ?? []) {
      t.ok(body.includes(from), `the example has ${from}`);
      body = body.split(from).join(to);
    }
    const full = `${run.before ?? ''}\n${body}\n${run.after ?? ''}`;
    if (run.compileOnly) {
      t.comment(`compiled, not run: ${run.compileOnly}`);
      const c = await spawnCollect([process.execPath, '--check', script(dir, 'example.js', full)], { cwd: dir });
      t.equal(c.code, 0, c.stderr);
      return;
    }
    if (key.startsWith("api.md#const { openOffline }")) await writeTrace(path.join(dir, 'trace.pcapng'));
    const env: Record<string, string> = {};
    let collector: ReturnType<typeof createSocket> | undefined;
    const datagrams: Buffer[] = [];
    if (key.startsWith('flows.md#const { IpfixExporter }')) {
      collector = createSocket('udp4');
      collector.on('message', (m) => datagrams.push(m));
      collector.bind(0, '127.0.0.1');
      await once(collector, 'listening');
      env.COLLECTOR = String(collector.address().port);
    }
    let argv = [process.execPath, run.esm ? esmModule(dir, full) : script(dir, 'example.js', full)];
    if (run.netns) {
      if (!requireRoot(t)) return;
      const ns = await Netns.create(t);
      argv = ['ip', 'netns', 'exec', ns.name, ...argv];
    }
    const r = await spawnCollect(argv, { cwd: dir, timeoutMs: 20_000, env: { ...process.env, ...env } });
    t.equal(r.code, 0, r.stderr);
    t.notOk(r.timedOut, 'the example ended');
    await run.check(t, r, dir);
    if (collector) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      collector.close();
      t.ok(datagrams.length > 0, 'the collector got IPFIX messages');
      for (const d of datagrams) t.equal(d.readUInt16BE(0), 10, 'IPFIX version 10');
    }
  });
}

/** Write code as example.mjs, as it is (ES modules have top-level await); its path. */
function esmModule(dir: string, code: string): string {
  const file = path.join(dir, 'example.mjs');
  writeFileSync(file, code);
  return file;
}

/** trace.pcapng for the openOffline example: two SYNs to port 443 among
 * other traffic. */
async function writeTrace(file: string): Promise<void> {
  const { craftFrame, parseMac, parseIpv4, dumpOpen } = await import('../index');
  const base = { srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('02:00:00:00:00:02'),
    srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.18.0.2'), size: 60 };
  const out = dumpOpen({ linktype: 1 }, file, { format: 'pcapng' });
  const frames = [
    craftFrame({ ...base, proto: 'udp', srcPort: 1, dstPort: 53 }),
    craftFrame({ ...base, proto: 'tcp-syn', srcPort: 40000, dstPort: 443 }),
    craftFrame({ ...base, proto: 'tcp-syn', srcPort: 40001, dstPort: 80 }),
    craftFrame({ ...base, proto: 'tcp-syn', srcPort: 40002, dstPort: 443 }),
  ];
  frames.forEach((f, i) => out.dump(f, { tsSec: 1700000000 + i, tsNsec: 0, caplen: f.length, len: f.length }));
  await out.close();
}
