/**
 * Self-test of test/helpers: namespace creation, isolation, running a TS
 * fixture inside it, teardown. Run: npx tap test/helpers-netns.test.ts
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Netns, requireRoot, listTestNetns } from './helpers/netns';
import { runInNetns, runChild } from './helpers/child';

const fixture = path.join(__dirname, 'fixtures', 'echo-env.ts');
const rootLinks = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
const created: string[] = [];

if (requireRoot(t)) {
  t.test('netns with a veth pair, both ends inside', async (t) => {
    const ns = await Netns.create(t);
    created.push(ns.name);
    t.match(ns.name, /^nmpt-\d+-\d+$/);
    t.ok(listTestNetns().includes(ns.name), 'listed by ip netns list');

    const inside = ns.exec('ip', ['-o', 'link', 'show']);
    t.match(inside, /\d+: va@vb:.*state UP/, 'va inside and up');
    t.match(inside, /\d+: vb@va:.*state UP/, 'vb inside and up');
    t.match(inside, /\d+: lo:.*UP/, 'lo up');
    t.notMatch(rootLinks(), /\d+: (va|vb)[@:]/, 'neither end in the root namespace');
    t.equal(ns.exec('sysctl', ['-n', 'net.ipv6.conf.va.disable_ipv6']).trim(), '1', 'IPv6 off on va');

    // os.networkInterfaces() lists only addressed interfaces, so give the
    // pair test-range (198.18.0.0/15) addresses for this check.
    ns.exec('ip', ['addr', 'add', '198.18.0.1/30', 'dev', 'va']);
    ns.exec('ip', ['addr', 'add', '198.18.0.2/30', 'dev', 'vb']);

    const r = await runInNetns(ns, fixture, ['x', 'y'], { timeoutMs: 20_000 });
    t.equal(r.code, 0, 'fixture exits 0', { stderr: r.stderr });
    t.notOk(r.timedOut);
    t.ok(r.json, 'last stdout line parsed', { jsonError: r.jsonError, stdout: r.stdout });
    t.same(r.json.args, ['x', 'y']);
    t.same(r.json.sysClassNet, ['lo', 'va', 'vb'], 'child sees only the namespace');
    t.ok(r.json.interfaces.includes('va') && r.json.interfaces.includes('vb'), 'va, vb in networkInterfaces()');
    t.comment(`fixture: require('../../index') -> ${r.json.indexLoads}`);
  });

  t.test('runChild, hard timeout kills', async (t) => {
    const r = await runChild(fixture, [], { timeoutMs: 20_000 });
    t.equal(r.code, 0, 'plain child runs TS', { stderr: r.stderr });
    t.ok(r.json.sysClassNet.includes('lo'));
    const slow = await runChild(fixture, [], { timeoutMs: 1_000, nodeArgs: ['-e', 'setTimeout(() => {}, 60_000)'] });
    t.ok(slow.timedOut, 'timed out');
    t.equal(slow.signal, 'SIGKILL');
  });

  t.test('stale namespaces of dead test processes are swept, live ones kept', async (t) => {
    // A pid that has exited: the shell's own, after it returned.
    const deadPid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    const stale = `nmpt-${deadPid}-7`;
    execFileSync('ip', ['netns', 'add', stale]);
    t.teardown(() => { try { execFileSync('ip', ['netns', 'del', stale], { stdio: 'ignore' }); } catch { /* swept */ } });
    const mine = await Netns.create(t); // this process is alive
    const r = await runChild(path.join(__dirname, 'fixtures', 'netns-create.ts'), [], { timeoutMs: 20_000 });
    t.equal(r.code, 0, 'the child created and deleted a namespace', { stderr: r.stderr });
    const left = listTestNetns();
    t.notOk(left.includes(stale), `${stale} (dead pid) swept`);
    t.ok(left.includes(mine.name), `${mine.name} (live pid) kept`);
  });

  t.test('namespaces are gone after teardown', async (t) => {
    t.equal(created.length, 1);
    const left = listTestNetns();
    for (const n of created) t.notOk(left.includes(n), `${n} deleted`);
    t.notMatch(rootLinks(), /\d+: (va|vb)[@:]/, 'no veth leaked to the root namespace');
  });
}
