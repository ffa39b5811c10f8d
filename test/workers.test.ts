// One ring per core: examples/workers.ts (through test/fixtures/workers-fanout.ts)
// with 2 workers in one fanout group on vb, 20000 IPv4/UDP frames of
// varied flows injected on va. Each worker gets some, together all.
import t from 'tap';
import { join } from 'node:path';
import { Netns, requireRoot } from './helpers/netns';
import { runInNetns } from './helpers/child';

const FIXTURE = join(__dirname, 'fixtures', 'workers-fanout.ts');

t.test('2 workers, fanout hash: each gets some, together all', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const n = 20000;
  const r = await runInNetns(ns, FIXTURE, [JSON.stringify({ workers: 2, n, mode: 'hash' })], { timeoutMs: 90_000 });
  t.notOk(r.timedOut, 'no hang');
  t.equal(r.code, 0, `exit 0 (${r.stderr.slice(-500)})`);
  const j = r.json;
  t.ok(j && !j.error, j?.error ?? r.jsonError ?? 'the fixture reported a result');
  if (!j || j.error) return;
  t.equal(j.sent, n, 'all frames sent');
  const w = j.result.workers as { worker: number; packets: number; bytes: number; drops: number }[];
  t.equal(w.length, 2, 'two workers reported');
  for (const c of w) t.ok(c.packets > 0, `worker ${c.worker} got some (${c.packets})`);
  t.equal(j.result.total.packets, n, 'together all of them, no duplicates');
  t.equal(j.result.total.bytes, n * 60);
  t.equal(j.result.total.drops, 0, 'nothing dropped');
  t.comment(`split: ${w.map((c) => c.packets).join(' + ')}`);
});
