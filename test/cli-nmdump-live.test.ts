// nmdump capturing live, in a network namespace of the test's own (veth
// va <-> vb, both ends inside): -c to a file, SIGINT in the middle of a
// capture, -w - into tcpdump -r -, and no privileges.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';
import { runNmdump, startNmdump } from './helpers/nmdump';

const SEND = path.join(__dirname, 'fixtures', 'nmdump-send.ts');

/** Packets in a savefile by tcpdump's count, and what tcpdump said on stderr besides its banner. */
function tcpdumpRead(file: string): { count: number; errors: string } {
  const r = execFileSync('sh', ['-c', 'tcpdump -n -r "$1" 2>"$1.err" | wc -l; grep -v "^reading from" "$1.err"; true', 'sh', file],
    { encoding: 'utf8' }).split('\n');
  return { count: Number(r[0]), errors: r.slice(1).join('\n').trim() };
}

/** "N packets captured" etc. from nmdump's summary. */
function summary(stderr: string): { captured: number; received: number; dropped: number } {
  const n = (what: string): number => Number(new RegExp(`^(\\d+) packets? ${what}$`, 'm').exec(stderr)?.[1] ?? NaN);
  return { captured: n('captured'), received: n('received by filter'), dropped: n('dropped by kernel') };
}

t.test('live capture with nmdump', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  t.test('-c N -w FILE: N packets, tcpdump agrees, the summary says so', async (t) => {
    const file = path.join(dir, 'count.pcap');
    const cap = startNmdump(['-i', 'vb', '-c', '50', '-w', file], { netns: ns.name });
    await cap.waitForStderr('listening on vb');
    const send = await runInNetns(ns, SEND, ['va', '80']);
    t.equal(send.json?.sent, 80, 'the sender sent 80');
    const r = await cap.done;
    t.equal(r.code, 0, 'exit 0 after -c');
    t.same(tcpdumpRead(file), { count: 50, errors: '' }, 'tcpdump reads exactly 50');
    t.equal(summary(r.stderr).captured, 50, '"50 packets captured"');
    t.match(r.stderr, /^nmdump: listening on vb, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes$/m);
  });

  t.test('SIGINT in the middle: a complete file holding what the summary counts', async (t) => {
    for (const format of [[], ['--pcapng']]) {
      const file = path.join(dir, `sigint${format.join('')}.pcap`);
      const cap = startNmdump(['-i', 'vb', '-w', file, ...format], { netns: ns.name });
      await cap.waitForStderr('listening on vb');
      const send = await runInNetns(ns, SEND, ['va', '120']);
      t.equal(send.json?.sent, 120);
      cap.child.kill('SIGINT');
      const r = await cap.done;
      t.equal(r.code, 0, `${format}: exit 0 on SIGINT`);
      const s = summary(r.stderr);
      t.equal(s.captured, 120, 'every frame sent was captured (a silent namespace)');
      t.equal(s.received, 120, '"received by filter" counts the same');
      t.equal(s.dropped, 0);
      t.same(tcpdumpRead(file), { count: s.captured, errors: '' }, 'tcpdump reads the file to its end, as many as the summary');
    }
  });

  t.test('SIGTERM while idle ends cleanly too', async (t) => {
    const file = path.join(dir, 'sigterm.pcap');
    const cap = startNmdump(['-i', 'vb', '-w', file, 'udp'], { netns: ns.name });
    await cap.waitForStderr('listening on vb');
    await runInNetns(ns, SEND, ['va', '20']);
    cap.child.kill('SIGTERM');
    const r = await cap.done;
    t.equal(r.code, 0);
    t.equal(summary(r.stderr).captured, 16, 'the filter kept the 16 UDP frames of 20');
    t.same(tcpdumpRead(file), { count: 16, errors: '' });
  });

  t.test('-w - | tcpdump -r -', async (t) => {
    const cap = startNmdump(['-i', 'vb', '-c', '30', '-w', '-'], { netns: ns.name });
    await cap.waitForStderr('listening on vb');
    await runInNetns(ns, SEND, ['va', '30']);
    const r = await cap.done;
    t.equal(r.code, 0);
    const printed = execFileSync('tcpdump', ['-n', '-r', '-'], { input: r.stdout, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    t.equal(printed.trimEnd().split('\n').length, 30, 'tcpdump reads 30 packets from the pipe');
    t.match(printed, /198\.18\.0\.1\.40000 > 198\.18\.0\.2\.900\d: UDP, length 18/);
  });

  t.test('printing live: lines as tcpdump prints them', async (t) => {
    const cap = startNmdump(['-i', 'vb', '-c', '5', '-n', '-t'], { netns: ns.name });
    await cap.waitForStderr('listening on vb');
    await runInNetns(ns, SEND, ['va', '5']);
    const r = await cap.done;
    t.equal(r.code, 0);
    t.equal(r.stdout.toString().trimEnd().split('\n').length, 5);
    t.match(r.stderr, /verbose output suppressed/);
  });

  t.test('a bad device or a bad filter: one line, exit 1', async (t) => {
    const bad = await runNmdump(['-i', 'nosuchif0'], { netns: ns.name });
    t.equal(bad.code, 1);
    t.match(bad.stderr.trimEnd().split('\n'), [/^nmdump: .*nosuchif0/]);
    const filter = await runNmdump(['-i', 'vb', 'port', 'http', 'or'], { netns: ns.name });
    t.equal(filter.code, 1);
    t.match(filter.stderr.trimEnd().split('\n'), [/^nmdump: invalid filter/]);
  });
});

t.test('live capture without privileges: the one-line fix', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  // setpriv drops to nobody with no capabilities (util-linux, always there with ip).
  const out = execFileSync('sh', ['-c',
    `ip netns exec ${ns.name} setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all ` +
    `env -u NODE_OPTIONS "${process.execPath}" dist/bin/nmdump.js -i vb 2>&1; echo "exit=$?"`], { encoding: 'utf8', cwd: path.join(__dirname, '..') }); // tap's NODE_OPTIONS hook would write to .tap/ as nobody
  const lines = out.trimEnd().split('\n');
  t.equal(lines.pop(), 'exit=1');
  t.equal(lines.length, 1, 'one line', { lines });
  t.match(lines[0], /^nmdump: .*CAP_NET_RAW.*setcap/, 'the fix: capabilities');
});
