// compat/pcap sessions: createOfflineSession on corpus files (no root),
// createSession on a veth pair in a namespace the test creates, and an
// example program written for npm pcap run unchanged against compat/pcap
// (TCP between 198.18.0.1 and 198.18.0.2 across two namespaces).
import t, { Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as pcap from '../compat/pcap/pcap';
import { openOffline, PcapError } from '../index';
import { corpusDir } from '../bench/pcap-corpus';
import { Netns, requireRoot } from './helpers/netns';
import { repoRoot, runInNetns } from './helpers/child';

const FIXTURES = join(__dirname, 'fixtures', 'compat');
/** npm pcap users assign pcap.warningHandler; a namespace import is typed read-only. */
const writable = pcap as { warningHandler: (w: string) => void };

/** Packets of a savefile through compat/pcap, until 'complete'. */
function readAll(path: string, filter?: string): Promise<{ count: number; linkType: string | null; texts: string[] }> {
  return new Promise((resolve, reject) => {
    const s = pcap.createOfflineSession(path, filter ? { filter } : {});
    const texts: string[] = [];
    s.on('packet', (raw: pcap.PacketWithHeader) => {
      if (raw.header.length !== 16 || raw.buf.length !== raw.header.readUInt32LE(8)) reject(new Error('bad packet shape'));
      texts.push(String(pcap.decode.packet(raw)));
    });
    s.on('complete', () => resolve({ count: texts.length, linkType: s.link_type, texts }));
    s.on('error', reject);
  });
}

async function countWithLibrary(path: string, filter?: string): Promise<number> {
  const s = await openOffline(path, filter ? { filter } : {});
  let n = 0;
  for await (const _ of s) n++;
  return n;
}

t.test('createOfflineSession', async (t) => {
  const dir = corpusDir();
  if (!dir) {
    if (process.env.CI === 'true') t.fail('../shared/corpus/tcpdump-tests is missing');
    else t.plan(0, 'skip: no corpus');
    return;
  }
  for (const [file, linkType] of [['802.1ad_QinQ.pcap', 'LINKTYPE_ETHERNET'], ['dns_tcp.pcap', 'LINKTYPE_ETHERNET'],
    ['tcp-handshake-and-data.pcap', null]] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    t.test(file, async (t) => {
      const got = await readAll(path);
      t.equal(got.count, await countWithLibrary(path), 'every packet, then complete');
      t.ok(got.count > 0);
      if (linkType) t.equal(got.linkType, linkType);
    });
  }
  t.test('filter', async (t) => {
    const path = join(dir, 'dns_tcp.pcap');
    if (!existsSync(path)) { t.fail('dns_tcp.pcap missing from the corpus'); return; }
    const got = await readAll(path, 'tcp port 53');
    t.equal(got.count, await countWithLibrary(path, 'tcp port 53'));
    t.ok(got.texts.every((s) => / TCP /.test(s)), 'only TCP decoded');
  });
  t.test('a missing file throws at once, as npm pcap does', async (t) => {
    t.throws(() => pcap.createOfflineSession('/nonexistent/x.pcap'), { code: 'ENOENT' });
  });
  t.test('a truncated file still completes', async (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'compat-pcap-'));
    const src = readFileSync(join(dir, 'dns_tcp.pcap'));
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, src.subarray(0, src.length - 7));
    const warnings: string[] = [];
    const saved = pcap.warningHandler;
    writable.warningHandler = (w) => { warnings.push(w); };
    try {
      const got = await new Promise<number>((resolve) => {
        let n = 0;
        const s = pcap.createOfflineSession(cut);
        s.on('packet', () => n++);
        s.on('complete', () => resolve(n));
      });
      t.ok(got > 0, 'the whole packets before the cut');
      t.match(warnings.join('\n'), /truncat|ends/i, 'the error went to warningHandler');
    } finally {
      writable.warningHandler = saved;
    }
  });
});

t.test('createSession argument errors', async (t) => {
  t.throws(() => pcap.createSession('lo', { monitor: true }), { code: 'ENOTSUP' }, 'monitor mode');
  t.throws(() => pcap.createSession('no-such-if0'), PcapError);
});

t.test('createSession on veth: filter, packet events, decode, inject, stats, close', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const r = await runInNetns(ns, join(FIXTURES, 'pcap-live.ts'), [], { timeoutMs: 60_000 });
  const j = r.json ?? {};
  if (r.code !== 0 || j.error) t.fail('fixture failed', { stdout: r.stdout, stderr: r.stderr });
  t.equal(j.linkType, 'LINKTYPE_ETHERNET');
  t.equal(j.count, 20, 'the 20 frames to UDP port 9, none of the 15 others');
  t.same(j.dports, [9]);
  t.same(j.lens, Array.from({ length: 20 }, (_, i) => Math.max(60, 14 + 20 + 8 + 18 + i)), 'in order, lengths exact');
  t.equal(j.caplenIsLen, true);
  t.equal(j.tsOk, true, 'tv_sec / tv_usec in the 16-byte header');
  t.equal(j.bufIsCaplen, true);
  t.match(j.first, /^LINKTYPE_ETHERNET 02:.* IPv4 198\.18\.0\.1 -> 198\.18\.0\.2 UDP UDP 40000->9 len 26$/);
  t.equal(j.stats?.ps_recv, 20, 'ps_recv counts what passed the filter');
  t.equal(j.stats?.ps_drop, 0);
  t.equal(j.opened, false, 'closed');
  t.equal(j.afterClose, 'ECLOSED', 'stats() after close throws');
  t.equal(j.listenersAfterClose, 0, 'close() removes the listeners');
  t.same(j.warnings, ['vb: no IPv4 address assigned', 'va: no IPv4 address assigned'], 'warningHandler, as libpcap warns');
});

/** How the unchanged example finds 'pcap': NODE_PATH to compat/pcap, or the require hook. */
function exampleModes(): [string, { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } | null][] {
  const modules = mkdtempSync(join(tmpdir(), 'compat-pcap-modules-'));
  mkdirSync(join(modules, 'pcap'));
  writeFileSync(join(modules, 'pcap', 'index.js'),
    `module.exports = require(${JSON.stringify(join(repoRoot, 'compat', 'pcap', 'pcap.ts'))});\n`);
  const register = join(repoRoot, 'dist', 'compat', 'register.js');
  return [
    ['NODE_PATH holding a "pcap" that is compat/pcap', { env: { NODE_PATH: modules } }],
    ['node -r netmap-pcap/register (built dist/)', existsSync(register) ? { nodeArgs: ['-r', register] } : null],
  ];
}

for (const [mode, how] of exampleModes()) {
  t.test(`an npm pcap example program runs unchanged: ${mode}`, async (t) => {
    if (!requireRoot(t)) return;
    if (how === null) {
      if (process.env.CI === 'true') t.fail('dist/compat/register.js is missing: run npm run build first');
      else t.plan(0, 'skip: not built (npm run build)');
      return;
    }
    await runExample(t, how);
  });
}

async function runExample(t: Test, how: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<void> {
  // Client side (va, 198.18.0.1) in one namespace, server side (vb, 198.18.0.2) in another.
  const client = await Netns.create(t);
  const server = await Netns.create(t, { veth: ['wa', 'wb'] });
  client.exec('ip', ['link', 'set', 'vb', 'netns', server.name]);
  client.exec('ip', ['addr', 'add', '198.18.0.1/24', 'dev', 'va']);
  server.exec('ip', ['addr', 'add', '198.18.0.2/24', 'dev', 'vb']);
  server.exec('ip', ['link', 'set', 'vb', 'up']);

  const monitor = runInNetns(client, join(FIXTURES, 'pcap-tcp-monitor.js'), ['va', 'tcp port 8080', '3'],
    { timeoutMs: 60_000, ...how });
  const listening = runInNetns(server, join(FIXTURES, 'tcp-traffic.ts'), ['server', '8080', '3'], { timeoutMs: 60_000 });
  // Traffic starts once the monitor's packet socket exists in its namespace.
  for (let i = 0; i < 200 && client.exec('cat', ['/proc/net/packet']).trim().split('\n').length < 2; i++) await sleep(50);
  await sleep(300);
  const traffic = await runInNetns(client, join(FIXTURES, 'tcp-traffic.ts'), ['client', '8080', '3'], { timeoutMs: 60_000 });
  t.same(traffic.json, { done: 3 }, 'the client made 3 connections');
  const m = await monitor;
  await listening;
  const report = m.json ?? {};
  if (m.code !== 0) t.fail('monitor failed', { stdout: m.stdout, stderr: m.stderr });
  t.equal(report.linkType, 'LINKTYPE_ETHERNET');
  t.equal(report.ended, 3, "three 'end' events");
  t.equal(report.sessions?.length, 3, "three 'session' events");
  for (const [i, s] of (report.sessions ?? []).entries()) {
    t.match(s.src, /^198\.18\.0\.1:\d+$/);
    t.equal(s.dst, '198.18.0.2:8080');
    t.equal(s.started, true, "'start' after the handshake");
    t.equal(s.sent, `hello ${i}`, "'data send'");
    t.equal(s.received, `echo: hello ${i}`, "'data recv'");
    t.equal(s.state, 'CLOSED');
    t.same(s.payload, [`hello ${i}`.length, `echo: hello ${i}`.length], 'session_stats payload bytes');
  }
  t.match(m.stdout, /Start of session between 198\.18\.0\.1:\d+ and 198\.18\.0\.2:8080/);
  t.match(m.stdout, /End of TCP session between 198\.18\.0\.1:\d+ and 198\.18\.0\.2:8080/);
}
