// Fault injection on every backend (issue 16): the interface deleted or set
// down mid-capture and mid-send, the peer process killed, close() from
// another callback during dispatch, a worker holding the port terminated,
// a holder process SIGKILLed. Each must give the documented code
// (docs/reliability.md's table), end the session on a fatal error as
// docs/shapes.md §5 says — session.error set, stats() answering, ECLOSED
// with the cause, nothing left open — with no crash, nothing thrown into the
// event loop, and every frame the kernel had delivered handed out first.
//
// The scenarios run in test/fixtures/faults.ts, one child per backend, side
// by side in a namespace made here (each makes and deletes its own veths).
import t, { Test } from 'tap';
import { join } from 'node:path';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

const FIXTURE = join(__dirname, 'fixtures', 'faults.ts');
const SCENARIOS = ['rxFault', 'txFault', 'txDown', 'abortInDispatch', 'workerTerminate', 'sigkillHolder'];

/** What ends a session on each backend: its pipe peer gone, its interface deleted. */
const FATAL: Record<string, string> = { afpacket: 'ENODEV', xdp: 'ENODEV', pipe: 'EPIPE' };

function released(t: Test, r: any): void {
  t.equal(r.fdsLeft, 0, 'descriptors back to where they were');
  t.equal(r.mapsLeft, 0, 'shared mappings back to where they were');
}

function ended(t: Test, r: any, code: string): void {
  t.equal(r.sessionError, code, `session.error is ${code}`);
  t.equal(r.closed, true, 'the session has ended');
  t.type(r.stats, 'object', 'stats() still answers, with the last counters');
  t.equal(r.dispatchAfter, 'ECLOSED', 'other calls: ECLOSED');
  t.equal(r.causeAfter, code, `with the ${code} as cause`);
  t.equal(r.closeAgain, 'none', 'close() stays idempotent');
  t.equal(r.uncaught, null, 'nothing thrown into the event loop');
  released(t, r);
}

const judge: Record<string, (t: Test, r: any, backend: string) => void> = {
  rxFault(t, r, backend) {
    const code = FATAL[backend];
    t.equal(r.received, 100, 'every frame delivered before the fault is handed out');
    t.ok(r.inOrder, 'in order');
    t.same(r.errors, [code], `'error' once, with ${code}`);
    t.ok(r.errorAfterAll, 'after the last frame');
    t.equal(r.outcome, 'closed', "then 'close'");
    t.equal(r.stats?.recv, 100, 'stats() keeps the counts');
    ended(t, r, code);
  },
  txFault(t, r, backend) {
    const code = FATAL[backend];
    const first = r.errors[0]?.code ?? r.raised;
    t.equal(first, code, `the send fails with ${code}`);
    t.ok(r.errors.length <= 1, "'error' at most once");
    t.ok(r.faultAt > 0, `the fault came mid-send, after ${r.faultAt} frames queued`);
    ended(t, r, code);
  },
  txDown(t, r) {
    if (r.notApplicable) return void t.pass(`not applicable: ${r.notApplicable}`);
    const codes = new Set([...r.errors, ...(r.raised ? [r.raised] : [])]);
    t.ok(codes.has('ENETDOWN'), `the link going down is reported: ENETDOWN (${[...codes]})`);
    t.ok([...codes].every((c) => c === 'ENETDOWN' || c === 'EAGAIN'), 'nothing else');
    t.equal(r.sessionError, null, 'not fatal: session.error stays unset');
    t.equal(r.closed, false, 'the session stays open');
    t.equal(r.resendError, null, 'sending works again once the link is back');
    t.ok(r.resent >= 20, `and the frames arrive (${r.resent})`);
    t.equal(r.uncaught, null, 'nothing thrown into the event loop');
  },
  abortInDispatch(t, r) {
    t.equal(r.handled, 1, 'dispatch stops after the callback whose abort closed the session');
    t.equal(r.calls, 1, 'no callback after it');
    t.equal(r.viewAfter, 0, 'the view handed out is empty');
    t.equal(r.dispatchAfter, 'ECLOSED', 'then ECLOSED');
    t.equal(r.uncaught, null, 'nothing thrown into the event loop');
    released(t, r);
  },
  workerTerminate(t, r) {
    t.equal(r.ready, 'ready', 'the worker opened the port');
    t.ok(r.held > 0, `and held descriptors (${r.held})`);
    t.equal(r.reopen, 'none', 'once it is terminated the port opens again');
    released(t, r);
  },
  sigkillHolder(t, r) {
    t.equal(r.ready, 'ready', 'the holder opened the port');
    t.equal(r.signal, 'SIGKILL', 'and died by SIGKILL');
    t.equal(r.reopen, 'none', 'the port opens again');
    t.equal(r.roundTrip, 10, 'and carries frames');
    released(t, r);
  },
};

t.test('faults on every backend', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  // Side by side (each backend has its own veth pair): the test's time.
  const backends = ['afpacket', 'xdp', 'pipe'];
  const runs = await Promise.all(backends.map((b) => runInNetns(ns, FIXTURE, [b, ...SCENARIOS], { timeoutMs: 90_000 })));
  for (const [i, backend] of backends.entries()) {
    const r = runs[i];
    t.test(backend, async (t) => {
      if (r.code !== 0 || !r.json) {
        t.fail(`the fixture failed (exit ${r.code}, signal ${r.signal})`, { stdout: r.stdout, stderr: r.stderr });
        return;
      }
      for (const name of SCENARIOS) {
        t.test(name, async (t) => {
          const res = r.json[name];
          if (!res || res.thrown) return void t.fail(`the scenario threw: ${JSON.stringify(res?.thrown)}`);
          judge[name](t, res, backend);
        });
      }
    });
  }
});
