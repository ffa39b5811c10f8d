// Misuse that must never crash: garbage ring writes from JS, and missing
// privileges. Each runs in a child process whose exit is checked.
import t from 'tap';
import { join } from 'node:path';
import { Netns, requireRoot } from './helpers/netns';
import { runChild, runInNetns } from './helpers/child';

/** Does `ip link` in ns show an XDP program on any interface? */
function attachedAnywhere(ns: Netns): boolean {
  return /prog\/xdp/.test(ns.exec('ip', ['link', 'show']));
}

for (const ports of [['vb', 'va'], ['xdp:vb', 'xdp:va']]) {
  t.test(`malicious ring writes give EBADSLOT and the process survives (${ports.join(' ')})`, async (t) => {
    if (!requireRoot(t)) return;
    const ns = await Netns.create(t);
    const r = await runInNetns(ns, join(__dirname, 'fixtures', 'malicious.ts'), ports, { timeoutMs: 60_000 });
    t.equal(r.signal, null, 'no crash signal');
    t.equal(r.code, 0, 'clean exit');
    const j = r.json ?? {};
    for (const [what, code] of Object.entries(j.cases ?? {})) t.equal(code, 'EBADSLOT', what);
    t.equal(Object.keys(j.cases ?? {}).length, 8, 'every case ran');
    t.equal(j.backAfterReset, true, 'a rejected sync leaves the ring as it was');
    t.equal(j.validMove, 'none', 'a valid head still syncs');
    t.equal(j.injectAfter, 'none', 'injection works after a reset');
    t.same(j.fuzzCodes, ['EBADSLOT', 'none'], '5000 random index/length writes: only EBADSLOT');
    t.equal(j.insane, 0, 'indices always in range after a sync');
    t.ok(Array.isArray(j.scribbleCodes), 'scribbled ring memory: no crash');
  });
}

t.test('xdp: without privileges: EPERM naming the capability', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const r = await runInNetns(ns, join(__dirname, 'fixtures', 'unprivileged.ts'), ['xdp:va']);
  t.equal(r.code, 0);
  t.equal(r.json?.code, 'EPERM');
  t.equal(r.json?.isPcapError, true);
  t.match(r.json?.message, /AF_XDP socket on va needs CAP_NET_RAW.*setcap .*cap_bpf/);
});

t.test('xdp: without CAP_BPF and CAP_SYS_ADMIN: EPERM naming them', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const r = await runInNetns(ns, join(__dirname, 'fixtures', 'capless.ts'), ['bpf,sys_admin,perfmon', 'xdp:va']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.json?.code, 'EPERM');
  t.match(r.json?.message, /needs CAP_BPF and CAP_NET_ADMIN \(or CAP_SYS_ADMIN\)/);
  t.equal(attachedAnywhere(ns), false, 'nothing left attached');
});

t.test('without CAP_NET_RAW: EPERM naming the fix', async (t) => {
  if (!requireRoot(t)) return; // needs root to drop to nobody
  const r = await runChild(join(__dirname, 'fixtures', 'unprivileged.ts'), ['lo']);
  t.equal(r.code, 0);
  t.equal(r.json?.code, 'EPERM');
  t.equal(r.json?.isPcapError, true);
  t.match(r.json?.message, /CAP_NET_RAW.*setcap cap_net_raw,cap_net_admin\+eip/);
});
