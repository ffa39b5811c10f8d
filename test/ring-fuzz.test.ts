// Random head / cur / slot length / slot offset writes between syncs, on
// both rings of both ends of a pipe (test/fixtures/ring-fuzz.ts): each is
// accepted or refused with EBADSLOT, the ring is always left sane, and the
// process survives. 100,000 writes here; RING_FUZZ_WRITES sets the count
// (`npm run test:asan` runs a million under the sanitizers).
import t from 'tap';
import { join } from 'node:path';
import { runChild } from './helpers/child';

const WRITES = Number(process.env.RING_FUZZ_WRITES ?? 100_000);

t.test(`${WRITES} random ring writes on a pipe: accepted or EBADSLOT, never a crash`, async (t) => {
  const r = await runChild(join(__dirname, 'fixtures', 'ring-fuzz.ts'), [String(WRITES), '7'],
    { timeoutMs: 600_000 });
  t.equal(r.signal, null, 'no crash signal');
  t.equal(r.code, 0, 'clean exit');
  const j = r.json ?? {};
  t.equal(j.writes, WRITES, 'every write was made');
  t.same(Object.keys(j.codes ?? {}).sort(), ['EBADSLOT', 'none'], `only EBADSLOT or accepted ${JSON.stringify(j.codes)}`);
  t.equal(j.insane, 0, 'indices always in range after a sync');
  t.comment(`${j.seconds} s`);
});
