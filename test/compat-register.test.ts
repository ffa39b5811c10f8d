// The require hook's mapping (compat/hook.ts) and the package's "exports"
// map, checked against fixture trees shaped like dist/compat, so they do not
// depend on which drop-ins are built yet.
import t, { Test } from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compatTarget, installRequireHook } from '../compat/hook';
import { repoRoot, runChild, runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

/** The built hook: what `node -r netmap-pcap/register` loads. */
const REGISTER = path.join(repoRoot, 'dist', 'compat', 'register.js');
const CAP_APP = path.join(__dirname, 'fixtures', 'compat', 'cap-app.js');
const CAP_SEND = path.join(__dirname, 'fixtures', 'compat', 'cap-send.js');

/** Files under a fixture compat root; each exports its own relative path. */
const FIXTURE_FILES = [
  'pcap/pcap.js', 'pcap/util.js', 'pcap/decode/index.js', 'pcap/decode/dns.js',
  'pcap/decode/ieee802.11/radio_packet.js', 'pcap/decode/ieee802.11/radiotap_fields.json',
  'cap/index.js', 'cap/decoders/index.js',
];

function fixtureTree(t: Test, under = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nmp-hook-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of FIXTURE_FILES) {
    const file = path.join(dir, under, f);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, f.endsWith('.json') ? JSON.stringify({ file: f }) : `module.exports = { file: ${JSON.stringify(f)} };\n`);
  }
  return dir;
}

t.test('compatTarget maps pcap, its deep paths and cap; nothing else', async (t) => {
  const root = '/x/compat';
  t.equal(compatTarget('pcap', root), '/x/compat/pcap/pcap');
  t.equal(compatTarget('pcap/decode/dns', root), '/x/compat/pcap/decode/dns');
  t.equal(compatTarget('pcap/decode/dns.js', root), '/x/compat/pcap/decode/dns.js');
  t.equal(compatTarget('pcap/decode', root), '/x/compat/pcap/decode');
  t.equal(compatTarget('cap', root), '/x/compat/cap/index');
  t.equal(compatTarget('cap/lib/Cap', root), '/x/compat/cap/index');
  t.equal(compatTarget('cap/lib/Decoders.js', root), '/x/compat/cap/decoders/index');
  for (const other of ['pcapx', 'capture', 'cap/build/Release/cap.node', './pcap', '/pcap', 'node:fs',
    'pcap-parser', 'pcap/../../etc/passwd', 'pcap/..', 'pcap/', '@scope/pcap']) {
    t.equal(compatTarget(other, root), null, `${other} is not ours`);
  }
});

t.test('installed, the hook serves require() from the compat root', async (t) => {
  const root = fixtureTree(t);
  installRequireHook(root);
  installRequireHook(root); // twice is harmless
  // A module anywhere: the hook does not depend on who asks.
  const req = createRequire(path.join(tmpdir(), 'any-app', 'app.js'));
  const fileOf = (id: string) => (req(id) as { file: string }).file;
  t.equal(fileOf('pcap'), 'pcap/pcap.js');
  t.equal(fileOf('pcap/util'), 'pcap/util.js');
  t.equal(fileOf('pcap/decode'), 'pcap/decode/index.js', 'a directory resolves to index.js');
  t.equal(fileOf('pcap/decode/dns'), 'pcap/decode/dns.js');
  t.equal(fileOf('pcap/decode/dns.js'), 'pcap/decode/dns.js');
  t.equal(fileOf('pcap/decode/ieee802.11/radio_packet'), 'pcap/decode/ieee802.11/radio_packet.js');
  t.equal(fileOf('pcap/decode/ieee802.11/radiotap_fields.json'), 'pcap/decode/ieee802.11/radiotap_fields.json');
  t.equal(fileOf('cap'), 'cap/index.js');
  t.equal(fileOf('cap/lib/Cap'), 'cap/index.js');
  t.equal(fileOf('cap/lib/Decoders'), 'cap/decoders/index.js');
  t.equal(req('pcap'), req('pcap/pcap.js'), 'one module instance whichever way it is named');
  t.equal(req.resolve('pcap/decode/dns'), path.join(root, 'pcap/decode/dns.js'));

  // Everything else resolves as before.
  t.equal(req.resolve('node:path'), 'node:path');
  t.equal(createRequire(__filename).resolve('tap'), require.resolve('tap'));
  const missing = t.throws(() => req('pcap/decode/no_such_file')) as NodeJS.ErrnoException;
  t.equal(missing.code, 'MODULE_NOT_FOUND', 'the code optional-require code checks for is kept');
  t.match(missing.message, /'pcap\/decode\/no_such_file': netmap-pcap's require hook maps it to /);
  t.throws(() => req('pcap/../../../etc/passwd'), { code: 'MODULE_NOT_FOUND' }, 'no escape from the root');
});

t.test('the package "exports" map reaches every entry point', async (t) => {
  // A copy of this package.json over a fake dist/ tree, installed as
  // node_modules/netmap-pcap: Node's own exports resolution, our map.
  const dir = fixtureTree(t, 'node_modules/netmap-pcap/dist/compat');
  const pkgDir = path.join(dir, 'node_modules', 'netmap-pcap');
  writeFileSync(path.join(pkgDir, 'package.json'), readFileSync(path.join(repoRoot, 'package.json')));
  for (const f of ['index.js', 'compat/register.js']) writeFileSync(path.join(pkgDir, 'dist', f), `module.exports = { file: '${f}' };\n`);
  const req = createRequire(path.join(dir, 'app.js'));
  const fileOf = (id: string) => (req(id) as { file: string }).file;
  t.equal(fileOf('netmap-pcap'), 'index.js');
  t.equal(fileOf('netmap-pcap/register'), 'compat/register.js');
  t.equal(fileOf('netmap-pcap/cap'), 'cap/index.js');
  t.equal(fileOf('netmap-pcap/pcap'), 'pcap/pcap.js');
  t.equal(fileOf('netmap-pcap/pcap/util'), 'pcap/util.js');
  t.equal(fileOf('netmap-pcap/pcap/decode'), 'pcap/decode/index.js');
  t.equal(fileOf('netmap-pcap/pcap/decode/dns'), 'pcap/decode/dns.js');
  t.equal(fileOf('netmap-pcap/pcap/decode/dns.js'), 'pcap/decode/dns.js');
  t.equal(fileOf('netmap-pcap/pcap/decode/ieee802.11/radio_packet'), 'pcap/decode/ieee802.11/radio_packet.js');
  t.equal(fileOf('netmap-pcap/pcap/decode/ieee802.11/radiotap_fields.json'), 'pcap/decode/ieee802.11/radiotap_fields.json');
  t.equal((req('netmap-pcap/package.json') as { name: string }).name, 'netmap-pcap');
  t.throws(() => req('netmap-pcap/dist/index.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }, 'internals stay private');
});

t.test('the built package resolves through its exports from outside', async (t) => {
  // The real build: a project with node_modules/netmap-pcap -> this checkout.
  const dir = mkdtempSync(path.join(tmpdir(), 'nmp-exports-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules', 'netmap-pcap'));
  const req = createRequire(path.join(dir, 'app.js'));
  t.equal(req.resolve('netmap-pcap'), path.join(repoRoot, 'dist', 'index.js'));
  t.equal(typeof (req('netmap-pcap') as { openLive: unknown }).openLive, 'function');
  t.equal(req.resolve('netmap-pcap/register'), REGISTER);
  const cap = req('netmap-pcap/cap') as { Cap: unknown; decoders: { PROTOCOL: { IP: Record<string, unknown> } } };
  t.equal(typeof cap.Cap, 'function', 'netmap-pcap/cap is the cap drop-in');
  t.equal(cap.decoders.PROTOCOL.IP.TCP, 6);
  const dist = path.join(repoRoot, 'dist', 'compat', 'pcap');
  t.equal(req.resolve('netmap-pcap/pcap'), path.join(dist, 'pcap.js'));
  t.equal(req.resolve('netmap-pcap/pcap/decode'), path.join(dist, 'decode', 'index.js'));
  t.equal(req.resolve('netmap-pcap/pcap/decode/dns'), path.join(dist, 'decode', 'dns.js'));
  t.equal(typeof (req('netmap-pcap/pcap') as { createSession: unknown }).createSession, 'function');
});

t.test('under node -r register, pcap, its deep paths and cap load the built drop-ins', async (t) => {
  if (!existsSync(REGISTER)) {
    t.fail(`${REGISTER} is missing: run npm run build`);
    return;
  }
  // A script from a directory where neither module is installed.
  const script = `
    const ids = ['pcap', 'pcap/pcap.js', 'pcap/decode', 'pcap/decode/dns', 'pcap/decode/dns.js', 'pcap/util',
      'pcap/tcp_tracker', 'pcap/decode/ipv6headers/no_next', 'pcap/decode/ieee802.11/radio_packet',
      'cap', 'cap/lib/Cap', 'cap/lib/Decoders'];
    const out = { resolved: ids.map((id) => require.resolve(id)) };
    out.pcapKeys = Object.keys(require('pcap'));
    out.sameCap = require('cap') === require('cap/lib/Cap');
    out.sameDecoders = require('cap').decoders === require('cap/lib/Decoders');
    out.samePcap = require('pcap') === require('pcap/pcap');
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-r', REGISTER, '-e', script], { cwd: tmpdir(), encoding: 'utf8' }));
  const dist = path.join(repoRoot, 'dist', 'compat');
  t.same(out.resolved, ['pcap/pcap.js', 'pcap/pcap.js', 'pcap/decode/index.js', 'pcap/decode/dns.js', 'pcap/decode/dns.js',
    'pcap/util.js', 'pcap/tcp_tracker.js', 'pcap/decode/ipv6headers/no_next.js', 'pcap/decode/ieee802.11/radio_packet.js',
    'cap/index.js', 'cap/index.js', 'cap/decoders/index.js'].map((f) => path.join(dist, f)));
  for (const k of ['createSession', 'createOfflineSession', 'decode', 'TCPTracker']) t.ok(out.pcapKeys.includes(k), `pcap.${k}`);
  t.equal(out.sameCap, true, 'cap/lib/Cap is cap');
  t.equal(out.sameDecoders, true, 'cap/lib/Decoders is cap.decoders');
  t.equal(out.samePcap, true, 'pcap/pcap is pcap');
});

/**
 * Start `node -r REGISTER app args` in the namespace; resolves once a stdout
 * line matches `ready`, then `done` gives everything it printed. Killed
 * after `timeoutMs` whatever happens.
 */
function startApp(ns: Netns, app: string, args: string[], ready: RegExp, timeoutMs = 30_000) {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-r', REGISTER, app, ...args],
    { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const kill = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } };
  const timer = setTimeout(kill, timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
  const started = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; if (ready.test(stdout)) resolve(); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    void done.then(() => resolve()); // an early exit must not leave us waiting
  });
  return { started, done };
}

t.test('a program written for cap runs unchanged under node -r register', async (t) => {
  if (!existsSync(REGISTER)) {
    t.fail(`${REGISTER} is missing: run npm run build`);
    return;
  }
  // Without the hook the program cannot even load: the hook is what runs it.
  const bare = await runChild(CAP_APP, ['lo', '1'], { cwd: tmpdir() });
  t.not(bare.code, 0, 'without -r: fails');
  t.match(bare.stderr, /Cannot find module 'cap'/);
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const app = startApp(ns, CAP_APP, ['vb', '6'], /listening on/);
  await app.started;
  const send = await runInNetns(ns, CAP_SEND, ['va'], { nodeArgs: ['-r', REGISTER], cwd: tmpdir() });
  t.equal(send.code, 0, 'the sender ran');
  t.equal(send.stdout.trim(), 'sent 7', 'the sender sent 7 frames');
  const r = await app.done;
  t.equal(r.code, 0, 'the capture exited by itself after 6 packets');
  t.equal(r.stderr, '', 'nothing on stderr');
  const v6a = '20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:0a';
  const v6b = '20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:0b';
  t.same(r.stdout.trim().split('\n'), [
    'listening on vb: ETHERNET',
    '42 bytes, ARP op 1 198.18.0.1 (02:00:00:00:00:0a) asks for 198.18.0.2',
    '51 bytes, IPv4 198.18.0.1 -> 198.18.0.2, UDP 40000 -> 9999 "hello cap"',
    '54 bytes, IPv4 198.18.0.1 -> 198.18.0.2, TCP 40001 -> 80 flags 0x2 seq 1000',
    `71 bytes, IPv6 ${v6a} -> ${v6b}, UDP 5000 -> 6000 "over IPv6"`,
    '52 bytes, vlan 100 priority 5, IPv4 198.18.0.1 -> 198.18.0.2, UDP 1 -> 2 "tagged"',
    '50 bytes, IPv4 198.18.0.1 -> 198.18.0.2, UDP 40000 -> 9999 "cut here"',
  ], 'every packet the filter passes, decoded as cap decodes it; the ICMP echo filtered out');
});
