// The README's three examples, run as a user would paste them: `require
// ('netmap-pcap')` resolves to this checkout's build, the device and file
// names are the only words replaced (eth0 -> a veth end in a namespace of
// the test's own, trace.pcapng -> a corpus capture).
import t from 'tap';
import path from 'node:path';
import { spawnCollect, repoRoot } from './helpers/child';
import { jsBlocks, sandbox, script } from './helpers/examples';
import { Netns, requireRoot } from './helpers/netns';
import { nmsendArgv } from './helpers/nmsend';
import { openOffline } from '../index';

const CORPUS = path.join(repoRoot, '..', 'shared', 'corpus', 'tcpdump-tests');
const examples = jsBlocks(path.join(repoRoot, 'README.md'));

t.test('the README has its three examples', async (t) => {
  t.equal(examples.length, 3);
});

t.test('example 2: a savefile read with a filter and written back', async (t) => {
  const dir = sandbox();
  const input = path.join(CORPUS, 'dns-zlip-1.pcap');
  const code = examples[1].replace("'trace.pcapng'", JSON.stringify(input))
    .replace("'dns.pcap'", JSON.stringify(path.join(dir, 'dns.pcap')));
  const run = await spawnCollect([process.execPath, script(dir, 'savefile.js', code)], { cwd: dir });
  t.equal(run.code, 0, run.stderr);
  // What it wrote is what the library reads from the input with the same filter.
  const expected: string[] = [];
  const src = await openOffline(input, { filter: 'udp port 53' });
  for await (const p of src) expected.push(Buffer.from(p.data).toString('hex'));
  t.ok(expected.length > 0, 'the input has DNS packets');
  const got: string[] = [];
  const out = await openOffline(path.join(dir, 'dns.pcap'));
  for await (const p of out) got.push(Buffer.from(p.data).toString('hex'));
  t.same(got, expected);
});

t.test('examples 1 and 3: capture and the ring walk on a veth', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const dir = sandbox();
  const inNs = (file: string): string[] => ['ip', 'netns', 'exec', ns.name, process.execPath, file];
  const capture = spawnCollect(inNs(script(dir, 'capture.js', examples[0].replace("'eth0'", "'vb'"))),
    { cwd: dir, timeoutMs: 8000 });
  const walk = spawnCollect(inNs(script(dir, 'walk.js', examples[2].replace("'eth0'", "'vb'"))),
    { cwd: dir, timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 1500)); // both ports open
  const send = await spawnCollect(nmsendArgv(ns, ['-i', 'va', '--generate', '--count', '40', '--rate', '40',
    '--proto', 'tcp-syn', '--dst-port', '443']), { timeoutMs: 20_000 });
  t.equal(send.code, 0, send.stderr);
  const [cap, ring] = await Promise.all([capture, walk]);
  // The capture example runs until killed; it printed one line per SYN to port 443.
  t.ok(cap.timedOut, 'the capture example keeps running');
  const lines = cap.stdout.trim().split('\n').filter(Boolean);
  t.ok(lines.length >= 20, `capture printed ${lines.length} lines`);
  for (const l of lines) t.match(l, /^\d+ \d+ [0-9a-f]{28}$/);
  t.equal(ring.code, 0, ring.stderr);
  // The walk finishes the batch in hand, so it may count a few past 20; each
  // frame it counted is one of the 60-byte SYNs.
  const counted = /^(\d+) packets (\d+) bytes\n$/.exec(ring.stdout);
  t.ok(counted, ring.stdout);
  const [packets, bytes] = [Number(counted?.[1]), Number(counted?.[2])];
  t.ok(packets >= 20 && packets <= 40, `the walk counted ${packets} packets`);
  t.equal(bytes, packets * 60, 'every frame counted is a 60-byte SYN');
});
