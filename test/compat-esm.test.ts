// The drop-ins from ES modules: `import … from 'netmap-pcap/pcap'` and
// 'netmap-pcap/cap' (default and named imports, the same objects require()
// gives), `import { openLive } from 'netmap-pcap'`, and ESM programs
// written for npm pcap and cap, run unchanged under
// `node --import netmap-pcap/register` (and `-r`, which installs the same
// import hook) or with their one import changed, as child processes
// capturing on a veth pair inside a namespace of the test's own.
import t, { Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot, spawnCollect } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

const DIST = path.join(repoRoot, 'dist', 'compat');
const FIXTURES = path.join(__dirname, 'fixtures', 'compat');

/** A project directory whose node_modules/netmap-pcap is this checkout; no npm pcap or cap in it. */
function project(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nmp-esm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules', 'netmap-pcap'));
  return dir;
}

/** Every module path of the built drop-ins, as a user names it ('pcap/decode/dns', 'cap'). */
function dropInPaths(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}/${name}`);
      else if (name.endsWith('.js')) out.push(`${rel}/${name.slice(0, -3)}`);
    }
  };
  walk(path.join(DIST, 'pcap'), 'pcap');
  return out;
}

t.test('import from netmap-pcap, /pcap, /cap and every deep path: the objects require() gives, every export named', async (t) => {
  if (!existsSync(path.join(DIST, 'esm', 'pcap.mjs'))) {
    t.fail('dist/compat/esm is missing: run npm run build');
    return;
  }
  const dir = project(t);
  const ids = ['netmap-pcap', 'netmap-pcap/pcap', 'netmap-pcap/pcap/decode', 'netmap-pcap/cap', ...dropInPaths().map((p) => `netmap-pcap/${p}`)];
  t.ok(ids.length > 30, `${ids.length} module paths`);
  // For each id: default === require(id) (object identity), and every
  // property of require(id) whose name is an identifier is a named export
  // holding the same value. A function export (a decoder class) is the
  // default only, as Node gives for npm pcap's `module.exports = Class`.
  writeFileSync(path.join(dir, 'check.mjs'), `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const ids = ${JSON.stringify(ids)};
    const report = [];
    for (const id of ids) {
      const cjs = require(id);
      const ns = await import(id);
      const wanted = typeof cjs === 'object' && cjs !== null
        ? Object.keys(cjs).filter((k) => /^[A-Za-z_$][\\w$]*$/.test(k) && k !== '__esModule') : [];
      const missing = wanted.filter((k) => !(k in ns));
      const different = wanted.filter((k) => k in ns && ns[k] !== cjs[k]);
      report.push({ id, sameDefault: ns.default === cjs, named: wanted.length, missing, different });
    }
    console.log(JSON.stringify(report));`);
  const r = await spawnCollect([process.execPath, 'check.mjs'], { cwd: dir });
  t.equal(r.code, 0, 'the check ran', { stderr: r.stderr });
  const report = r.json as { id: string; sameDefault: boolean; named: number; missing: string[]; different: string[] }[];
  for (const m of report ?? []) {
    t.same({ sameDefault: m.sameDefault, missing: m.missing, different: m.different },
      { sameDefault: m.id === 'netmap-pcap' ? m.sameDefault : true, missing: [], different: [] },
      `${m.id}: ${m.named} named exports`);
  }
  const byId = new Map((report ?? []).map((m) => [m.id, m]));
  t.ok((byId.get('netmap-pcap')?.named ?? 0) > 20, 'netmap-pcap: openLive and the rest by name');
  t.equal(byId.get('netmap-pcap/pcap')?.named, 12, 'pcap: all 12 of its exports');
  t.equal(byId.get('netmap-pcap/cap')?.named, 4, 'cap: Cap, findDevice, deviceList, decoders');
  t.ok((byId.get('netmap-pcap/pcap/decode')?.named ?? 0) >= 6, 'pcap/decode by name');
});

/** Copy a fixture program into `dir`, optionally renaming the module it imports. */
function app(dir: string, fixture: string, rename?: [string, string]): string {
  let text = readFileSync(path.join(FIXTURES, fixture), 'utf8');
  if (rename) text = text.split(`from '${rename[0]}'`).join(`from '${rename[1]}'`);
  const file = path.join(dir, fixture);
  writeFileSync(file, text);
  return file;
}

/**
 * Start `node ...argv` in the namespace (its own process group, killed
 * after 30 s whatever happens); `started` resolves at its first stdout
 * line (or its end), `done` when it has exited.
 */
function startIn(ns: Netns, dir: string, argv: string[]) {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, ...argv],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 30_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
  const started = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; if (stdout.includes('\n')) resolve(); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    void done.then(() => resolve());
  });
  return { started, done };
}

const WANT = [
  '51 bytes, EthernetPacket 198.18.0.1 -> 198.18.0.2 UDP 40000 -> 9999 "hello esm"',
  '48 bytes, EthernetPacket 198.18.0.1 -> 198.18.0.2 UDP 40001 -> 9998 "second"',
  '47 bytes, EthernetPacket 198.18.0.1 -> 198.18.0.2 UDP 40002 -> 9997 "third"',
];

for (const mode of ['--import register', '-r register', 'one import changed'] as const) {
  t.test(`ESM programs for npm pcap and cap (${mode}): createSession, decode.packet, Cap.open, send`, async (t) => {
    if (!requireRoot(t)) return;
    const dir = project(t);
    const hooked = mode !== 'one import changed';
    const flag = mode === '-r register' ? ['-r', 'netmap-pcap/register'] : hooked ? ['--import', 'netmap-pcap/register'] : [];
    const pcapApp = app(dir, 'pcap-app.mjs', hooked ? undefined : ['pcap', 'netmap-pcap/pcap']);
    const capApp = app(dir, 'cap-send.mjs', hooked ? undefined : ['cap', 'netmap-pcap/cap']);
    if (hooked) {
      // Unmodified, the programs cannot load without the hook: it is what runs them.
      const bare = await spawnCollect([process.execPath, pcapApp, 'lo', '1'], { cwd: dir });
      t.not(bare.code, 0, 'without the hook: fails');
      t.match(bare.stderr, /Cannot find package 'pcap'/);
    }
    const ns = await Netns.create(t);
    const capture = startIn(ns, dir, [...flag, pcapApp, 'vb', '3']);
    await capture.started; // "listening on": createSession has opened the socket
    const send = await spawnCollect(['ip', 'netns', 'exec', ns.name, process.execPath, ...flag, capApp, 'va'], { cwd: dir });
    t.equal(send.code, 0, 'the cap program ran', { stderr: send.stderr });
    t.equal(send.stdout.trim(), 'sent 3 on ETHERNET, same=true', 'cap program: Cap.open returned ETHERNET, send queued 3');
    const r = await capture.done;
    t.equal(r.code, 0, 'the capture ended by itself after 3 packets', { stderr: r.stderr });
    const lines = r.stdout.trim().split('\n');
    t.equal(lines[0], 'listening on vb: LINKTYPE_ETHERNET, same=true');
    t.same(lines.slice(1, 4), WANT, 'decoded as npm pcap decodes them');
  });
}
