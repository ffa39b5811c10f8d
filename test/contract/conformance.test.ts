// The conformance suite: the same scenarios (scenarios.ts) on every
// backend's pair (pairs.ts), judged by one set of expectations here. A
// backend that behaves differently from the contract (csrc/port.h,
// docs/shapes.md) fails the same check the others pass.
//
// 'local' pairs run in a child process here, 'netns' pairs in a namespace
// this test makes (veth va <-> vb, both ends inside it), 'vm' pairs inside
// the netmap VM (../shared/netmap-vm) as plain node on dist/.
import t, { Test } from 'tap';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { runChild, runInNetns, repoRoot } from '../helpers/child';
import { isRoot, Netns, requireRoot } from '../helpers/netns';
import { PAIRS, PairFactory } from './pairs';
import type { Results, RoundTrip, Thrown } from './scenarios';

const SCENARIOS = join(__dirname, 'scenarios.ts');
const VM = resolve(repoRoot, '../shared/netmap-vm');
const VM_STATE = join(process.env.NMVM_DIR ?? '/var/tmp/netmap-vm', 'state');

/** Known departures from the contract, each with the issue that fixes it. */
const KNOWN: Record<string, string> = {
  'xdp peerDeath': 'issue 16: an xdp: port reports nothing when its link goes down',
};

type Outcome = Partial<Results> & Record<string, unknown>;

function parse(t: Test, what: string, code: number | null, text: string, stderr: string): Outcome | null {
  try {
    if (code === 0) return JSON.parse(text);
  } catch { /* reported below */ }
  t.fail(`${what}: the scenarios did not finish (exit ${code})`, { stdout: text.slice(-2000), stderr: stderr.slice(-2000) });
  return null;
}

async function runHere(t: Test, backend: string): Promise<Outcome | null> {
  const r = await runChild(SCENARIOS, [backend, '-'], { timeoutMs: 120_000 });
  return parse(t, backend, r.code, r.stdout, r.stderr);
}

async function runNetns(t: Test, ns: Netns, backend: string): Promise<Outcome | null> {
  ns.exec('ip', ['link', 'set', 'dev', 'va', 'up']); // a previous peerDeath took it down
  const r = await runInNetns(ns, SCENARIOS, [backend, '-'], { timeoutMs: 120_000 });
  return parse(t, backend, r.code, r.stdout, r.stderr);
}

/** All 'vm' pairs in one VM boot; null (and a failure or skip) when it cannot run. */
function runVm(t: Test, backends: string[]): Record<string, Outcome | null> | null {
  const why = !isRoot() ? 'needs root (the netmap VM)'
    : !existsSync(join(repoRoot, 'dist/test/contract/scenarios.js')) ? 'dist/ is not built: run `npm run build`'
      : !existsSync('/dev/netmap') && !(existsSync(join(VM, 'run.sh')) && existsSync(VM_STATE))
        ? `no /dev/netmap and the netmap VM is not set up (run ${VM}/setup.sh as root)` : null;
  if (why) {
    if (process.env.CI === 'true') t.fail(`${why}; CI=true so this is a failure, not a skip`);
    else t.skip(why);
    return null;
  }
  const dir = mkdtempSync(join(repoRoot, '.contract-vm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(repoRoot, 'dist/test/contract/scenarios.js');
  const job = backends.map((b) => `node ${script} ${b} ${dir}/${b}.json`).join('; ');
  const env = { ...process.env, NMVM_RW: repoRoot, NMVM_TIMEOUT: '400' };
  const r = existsSync('/dev/netmap')
    ? spawnSync('bash', ['-c', job], { encoding: 'utf8', timeout: 420_000, env: { ...env, NMP_CONTRACT_SLOW: '0' } })
    : spawnSync(realpathSync(join(VM, 'run.sh')), [`NMP_CONTRACT_SLOW=1; export NMP_CONTRACT_SLOW; ${job}`],
      { encoding: 'utf8', timeout: 420_000, cwd: repoRoot, env });
  const out: Record<string, Outcome | null> = {};
  for (const b of backends) {
    const file = join(dir, `${b}.json`);
    out[b] = existsSync(file) ? parse(t, b, 0, readFileSync(file, 'utf8'), '')
      : parse(t, b, r.status, r.stdout ?? '', `${r.stderr ?? ''}`);
  }
  return out;
}

function thrown(r: unknown): Thrown['thrown'] | undefined {
  return (r as Partial<Thrown> | undefined)?.thrown;
}

function exact(t: Test, r: RoundTrip, what: string): void {
  t.equal(r.received, r.sent, `${what}: all ${r.sent} frames of ${r.size} bytes arrive`);
  t.ok(r.inOrder, `${what}: in order`);
  t.ok(r.byteExact, `${what}: byte-exact`);
}

/** The expectations, one per scenario, the same for every backend. */
const judge: { [K in keyof Results]: (t: Test, r: Results[K], pair: PairFactory) => void } = {
  roundTrip60(t, r) {
    exact(t, r.ab, 'a -> b');
    exact(t, r.ba, 'b -> a');
  },
  roundTripMax(t, r) {
    t.ok(r.ab.size >= 1514, `the largest frame is at least 1514 bytes (${r.ab.size})`);
    exact(t, r.ab, 'a -> b');
    exact(t, r.ba, 'b -> a');
  },
  filter(t, r) {
    t.same(r.received, r.expected, 'exactly the frames the libpcap expression matches, in order');
  },
  stats(t, r) {
    t.equal(r.received, 300, 'all delivered');
    t.equal(r.recv, r.received, 'recv counts what passed the filter');
    t.equal(r.drop, 0, 'no drops');
  },
  partialBatch(t, r) {
    t.equal(r.received, 3, 'three frames, a batch that never fills, are delivered');
  },
  badSlot(t, r) {
    t.equal(r.rxHead, 'EBADSLOT', 'an RX head outside [head, tail] is refused');
    t.equal(r.txLen, 'EBADSLOT', 'a TX length over the buffer size is refused');
    t.ok(r.usableAfter, 'the ring works afterwards');
  },
  closeInCallback(t, r) {
    t.equal(r.calls, 1, 'no callback after close()');
    t.equal(r.viewAfterClose, 0, 'the view handed out is empty after close()');
    t.equal(r.closeAgain, 'ok', 'close() again is a no-op');
    t.equal(r.afterClose, 'ECLOSED', 'use after close is ECLOSED');
  },
  closeDuringDispatch(t, r) {
    t.equal(r.handled, 1, 'dispatch stops after the callback that closed');
    t.ok(r.closed, 'the session is closed');
  },
  peerDeath(t, r, pair) {
    if ('notApplicable' in r) {
      t.notOk(typeof pair.kill === 'function', `not applicable: ${r.notApplicable}`);
      return;
    }
    t.ok(['ENETDOWN', 'ENODEV', 'ENXIO', 'EPIPE'].includes(r.error ?? ''), `'error' names the fault (${r.error})`);
    t.equal(r.uncaught, null, 'nothing thrown into the event loop');
    t.equal(r.closeAfter, 'ok', 'the session still closes');
  },
};

function judgeAll(t: Test, backend: string, results: Outcome | null): void {
  if (!results) return;
  const pair = PAIRS[backend];
  for (const name of Object.keys(judge) as (keyof Results)[]) {
    const todo = KNOWN[`${backend} ${name}`];
    t.test(`${backend}: ${name}`, todo ? { todo } : {}, async (t) => {
      const r = results[name];
      const err = thrown(r);
      if (r === undefined || err) {
        t.fail(`the scenario threw ${err?.code}: ${err?.message}`);
        return;
      }
      (judge[name] as (t: Test, r: unknown, pair: PairFactory) => void)(t, r, pair);
    });
  }
}

const byWhere = (where: string) => Object.keys(PAIRS).filter((b) => PAIRS[b].where === where);

t.test('local pairs', async (t) => {
  for (const b of byWhere('local')) judgeAll(t, b, await runHere(t, b));
});

t.test('pairs on a veth in a namespace', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  for (const b of byWhere('netns')) judgeAll(t, b, await runNetns(t, ns, b));
});

t.test('pairs in the netmap VM', async (t) => {
  const all = runVm(t, byWhere('vm'));
  if (all) for (const [b, r] of Object.entries(all)) judgeAll(t, b, r);
});
