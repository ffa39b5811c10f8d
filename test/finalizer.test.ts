// Sessions dropped without close() are released by the binding's finalizer
// once collected (DESIGN.md: finalizers are GC-safe): on every backend,
// after opening, using and dropping many sessions and a forced GC, the
// process holds the descriptors and shared mappings it held before, and the
// port opens again. An xdp: queue can be held by one socket only, so each
// dropped xdp session must be collected before the next opens.
import t from 'tap';
import { join } from 'node:path';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

const FIXTURE = join(__dirname, 'fixtures', 'faults.ts');

t.test('dropped sessions are released by GC', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);
  const backends = ['afpacket', 'xdp', 'pipe'];
  const runs = await Promise.all(backends.map((b) => runInNetns(ns, FIXTURE, [b, 'finalizer'],
    { timeoutMs: 60_000, nodeArgs: ['--expose-gc'] })));
  for (const [i, backend] of backends.entries()) {
    const r = runs[i];
    t.test(backend, async (t) => {
      const f = r.json?.finalizer;
      if (r.code !== 0 || !f || f.thrown || f.error) {
        t.fail(`the fixture failed (exit ${r.code})`, { result: f, stdout: r.stdout, stderr: r.stderr });
        return;
      }
      t.ok(f.peak > 0, `the sessions held descriptors while open (peak ${f.peak} over ${f.rounds} dropped)`);
      t.equal(f.fdsLeft, 0, 'after GC: descriptors back to where they were');
      t.equal(f.mapsLeft, 0, 'after GC: shared mappings back to where they were');
      t.equal(f.reopen, 'none', 'the port opens again');
    });
  }
});
