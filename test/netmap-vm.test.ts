// The netmap backend against the real netmap kernel module.
//
// This machine's kernel usually cannot load netmap.ko, so the scenarios
// (test/fixtures/netmap-scenarios.js, plain node on dist/) run inside the
// netmap VM of ../shared/netmap-vm (run.sh boots it with this filesystem
// visible), in a network namespace of their own. Where /dev/netmap exists
// here they run directly instead. They record what they sent and what came
// back; this file judges it.
//
// Without /dev/netmap and without a set-up VM the test reports itself as not
// run (skip); under CI=true it fails instead. Set-up: as root,
// `../shared/netmap-vm/setup.sh` once (.ci/run does it).
import t, { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isRoot } from './helpers/netns';

const ROOT = resolve(__dirname, '..');
const VM = resolve(ROOT, '../shared/netmap-vm');
const JOB = join(ROOT, 'test/fixtures/netmap-vm-job.sh');
const VM_STATE = join(process.env.NMVM_DIR ?? '/var/tmp/netmap-vm', 'state');

/* eslint-disable @typescript-eslint/no-explicit-any */
type Results = Record<string, any>;

function notRun(t: Test, why: string): void {
  if (process.env.CI === 'true') t.fail(`${why}; CI=true so this is a failure, not a skip`);
  else t.plan(0, `skip: ${why}`);
}

/** Run the scenarios here or in the VM; the results, or why not. */
function runScenarios(t: Test): Results | string {
  if (!isRoot()) return 'needs root (netmap ports, network namespaces, and the VM)';
  if (!existsSync(join(ROOT, 'dist/index.js'))) return 'dist/ is not built: run `npm run build`';
  const local = existsSync('/dev/netmap');
  if (!local && !(existsSync(join(VM, 'run.sh')) && existsSync(VM_STATE))) {
    return `no /dev/netmap here and the netmap VM is not set up (run ${VM}/setup.sh as root)`;
  }
  // The results file must be somewhere the VM may write: inside the checkout.
  const dir = mkdtempSync(join(ROOT, '.netmap-vm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'results.json');
  const r = local
    ? spawnSync('bash', [JOB, out], { encoding: 'utf8', timeout: 240_000 })
    : spawnSync(realpathSync(join(VM, 'run.sh')), [`bash ${JOB} ${out}`], {
      encoding: 'utf8', timeout: 240_000, cwd: ROOT,
      env: { ...process.env, NMVM_RW: ROOT, NMVM_TIMEOUT: '200' },
    });
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-3000);
  if (r.status !== 0 || !existsSync(out)) {
    t.fail(`the netmap scenarios did not complete (exit ${r.status}, ${r.signal ?? 'no signal'})`, { log });
    return {};
  }
  t.comment(`netmap scenarios ran ${local ? 'here' : 'in the netmap VM'}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Results;
}

t.test('netmap against the real kernel module', async (t) => {
  const results = runScenarios(t);
  if (typeof results === 'string') return notRun(t, results);
  if (Object.keys(results).length === 0) return;

  /** A scenario's record; its own failure is a test failure. */
  const get = (t: Test, name: string): any => {
    const r = results[name];
    if (!r || r.error) t.fail(`scenario ${name} failed`, { error: r?.error ?? 'missing' });
    return r && !r.error ? r : null;
  };
  const exact = (t: Test, r: any, what: string) => {
    t.ok(r.sent.length > 0, `${what}: frames were sent`);
    t.same(r.got, r.sent, `${what}: every frame back, byte-exact and in order`);
  };

  t.test('round trip over a veth pair (generic adapter)', async (t) => {
    const r = get(t, 'veth');
    if (!r) return;
    t.equal(r.rxBackend, 'netmap');
    exact(t, r, 'netmap:nmvA -> netmap:nmvB');
    t.match(r.stats, { recv: r.sent.length, drop: 0 }, 'stats count them');
  });
  t.test('round trip over a VALE switch', async (t) => {
    const r = get(t, 'vale');
    if (!r) return;
    t.equal(r.rxBackend, 'vale');
    exact(t, r, 'vale1:a -> vale1:b');
  });
  t.test('round trip over a netmap pipe, both ways', async (t) => {
    const r = get(t, 'pipe');
    if (!r) return;
    exact(t, r.there, 'master -> slave');
    exact(t, r.back, 'slave -> master');
  });
  t.test('netmap:IF-N and netmap:IF*, netmap:IF^', async (t) => {
    const r = get(t, 'ringSuffixes');
    if (!r) return;
    exact(t, r, 'netmap:nmvA-0 -> netmap:nmvB*');
    t.equal(r.hostBackend, 'netmap', 'the host rings open');
    exact(t, r.host, "netmap:nmvB^ TX -> nmvB's own stack (seen by AF_PACKET)");
  });
  t.test('inject, then capture with no further call on the sender', async (t) => {
    const r = get(t, 'flush');
    if (!r) return;
    exact(t, r, 'one inject()');
  });
  t.test('a timeout returns a partial batch', async (t) => {
    const r = get(t, 'partial');
    if (!r) return;
    t.equal(r.dispatched, 3, 'dispatch(100) returns the 3 that came');
    t.same(r.nexts.slice(0, 2).map((x: number | null) => x !== null), [true, true], 'next() gives the 2 sent');
    t.equal(r.nexts[2], null, 'then next() gives null');
    t.ok(r.nullAfterMs >= r.timeout * 0.8 && r.nullAfterMs < 10_000,
      `... once the ${r.timeout} ms timeout expired (${r.nullAfterMs} ms)`);
    t.equal(r.readable, false, 'waitReadable(timeout) returns false with nothing to read');
  });
  t.test('stats: recv and drop', async (t) => {
    const r = get(t, 'stats');
    if (!r) return;
    // 100 frames, 75 pass the filter; a 16-slot ring holds 15 of them.
    t.equal(r.first, 15, 'a 16-slot ring delivers 15');
    t.match(r.afterFirst, { recv: 75, drop: 60 }, 'recv counts what passed the filter, drop what did not fit');
    t.equal(r.second, 5, 'later packets still come');
    t.match(r.afterSecond, { recv: 80, drop: 60 });
  });
  t.test('filters in the shim match the kernel (AF_PACKET) on the same frames', async (t) => {
    const r = get(t, 'filters');
    if (!r) return;
    for (const [expr, f] of Object.entries<any>(r.byFilter)) {
      t.ok(f.kernel.length > 0 && f.kernel.length < r.all, `${expr}: selects some, not all (${f.kernel.length})`);
      t.same(f.shim, f.kernel, `${expr}: the same frames, in the same order`);
      t.equal(f.unfiltered, 5, `${expr}: setFilter(null) lets everything through`);
    }
  });
  t.test('EBADSLOT on bad ring writes from JS, and the ring still works', async (t) => {
    const r = get(t, 'badSlots');
    if (!r) return;
    t.equal(r.rxHead, 'EBADSLOT', 'RX head past tail');
    t.equal(r.txShort, 'EBADSLOT', 'TX length under 14');
    t.equal(r.txLong, 'EBADSLOT', 'TX length over the buffer');
    t.equal(r.txHead, 'EBADSLOT', 'TX head past tail');
    exact(t, r.after, 'an inject after the resets');
  });
  t.test('close during dispatch', async (t) => {
    const r = get(t, 'closeInDispatch');
    if (!r) return;
    t.equal(r.calls, 1, 'no callback after close()');
    t.equal(r.returned, 1);
    t.equal(r.closed, true);
    t.equal(r.after, 'ECLOSED', 'later use: ECLOSED');
    t.equal(r.events, 1, "close() in a 'packet' handler stops the events");
  });
  t.test('bufferSize: extra buffers let the session hold more than a kernel ring', async (t) => {
    const r = get(t, 'extraBuffers');
    if (!r) return;
    t.equal(r.held[8388608].held, r.sent, '8 MiB: every packet held at once');
    t.ok(r.held[262144].held < r.sent, `256 KiB: fewer (${r.held[262144].held})`);
  });
  t.test('a long stream through rxRing(), released part by part', async (t) => {
    const r = get(t, 'stream');
    if (!r) return;
    t.equal(r.sent, 3000);
    t.equal(r.received, r.sent, 'every frame');
    t.equal(r.bad, 0, 'in order, every byte right');
    t.ok(r.maxHeld > 128, `more held at once (${r.maxHeld}) than the 128 spare buffers: slots held in place too`);
    t.match(r.stats, { recv: r.sent, drop: 0 });
  });
  t.test("pkt-gen as the sender: we get what it sent", async (t) => {
    const r = get(t, 'pktgenSender');
    if (!r) return;
    t.equal(r.pktgenSent, r.asked, `pkt-gen says it sent ${r.asked}`, { tail: r.tail });
    t.equal(r.got, r.pktgenSent, 'we received as many');
    t.equal(r.udp60, r.got, 'all of them its 60-byte UDP frames');
  });
  t.test('pkt-gen as the receiver: it gets what we sent', async (t) => {
    const r = get(t, 'pktgenReceiver');
    if (!r) return;
    t.equal(r.sent, 300);
    t.equal(r.pktgenReceived, r.sent, 'pkt-gen counts every frame', { tail: r.tail });
  });
  t.test('nmdump and nmsend take the new names', async (t) => {
    const r = get(t, 'tools');
    if (!r) return;
    t.equal(r.send.code, 0, 'nmsend -i vale9:a --generate --count 20', { out: r.send.out });
    t.match(r.send.out, /sent 20 packets/);
    t.equal(r.dumped.code, 0, 'nmdump -i vale9:b -c 20 udp', { out: r.dumped.out });
    t.equal(r.captured, 20, 'nmdump captured the 20');
  });
  t.test('findAllDevs lists netmap names', async (t) => {
    const r = get(t, 'devices');
    if (!r) return;
    for (const n of ['netmap:nmvA', 'netmap:nmvB']) {
      t.same(r.netmap.find((d: any) => d.name === n)?.backends, ['netmap'], n);
    }
  });
});
