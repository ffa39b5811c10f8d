// The require hook's mapping (compat/hook.ts) and the package's "exports"
// map, checked against fixture trees shaped like dist/compat, so they do not
// depend on which drop-ins are built yet.
import t, { Test } from 'tap';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compatTarget, installRequireHook } from '../compat/hook';
import { repoRoot } from './helpers/child';

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
  t.equal(req.resolve('netmap-pcap/register'), path.join(repoRoot, 'dist', 'compat', 'register.js'));
});
