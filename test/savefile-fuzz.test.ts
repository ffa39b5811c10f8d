/**
 * Fuzz: ≥ 20,000 mutated pcap and pcapng files parsed in a child process
 * (test/fixtures/savefile/fuzz.ts), so that a crash or a hang cannot take the
 * test runner down with it. Checks: exit 0, no timeout, no finding (every
 * error a PcapError ETRUNC/EBADFILE naming an offset, every packet inside its
 * buffer), and memory bounded.
 */
import * as path from 'node:path';
import t from 'tap';
import { runChild } from './helpers/child';

const CASES = 50_000;

for (const seed of [1, 2]) {
  t.test(`${CASES} mutated files, seed ${seed}`, async (t) => {
    const r = await runChild(path.join(__dirname, 'fixtures', 'savefile', 'fuzz.ts'), [String(CASES), String(seed)],
      { timeoutMs: 120_000, nodeArgs: ['--expose-gc', '--max-old-space-size=512'] });
    t.equal(r.timedOut, false, 'no hang');
    t.equal(r.signal, null, 'no signal');
    t.equal(r.code, 0, `exit 0${r.stderr ? `: ${r.stderr.slice(0, 2000)}` : ''}`);
    t.ok(r.json, r.jsonError ?? 'JSON result');
    if (!r.json) return;
    t.same(r.json.bad, [], 'no finding');
    const total = Object.values(r.json.tally as Record<string, number>).reduce((a, b) => a + b, 0);
    t.equal(total, CASES, 'every case ran');
    t.same(Object.keys(r.json.tally).filter((k) => !['ok', 'ETRUNC', 'EBADFILE'].includes(k)), [], 'only ok / ETRUNC / EBADFILE');
    t.ok(r.json.tally.ok > 0 && r.json.tally.ETRUNC > 0 && r.json.tally.EBADFILE > 0, 'all outcomes exercised');
    // Transient buffers reach MAX_BLOCK (16 MiB) when a length field asks for it; nothing accumulates.
    t.ok(r.json.heapUsedMiB < 64, `heap after the run ${r.json.heapUsedMiB} MiB`);
    t.ok(r.json.maxRssMiB < 768, `peak RSS ${r.json.maxRssMiB} MiB`);
    t.ok(r.json.slowestMs < 2000, `slowest case ${r.json.slowestMs} ms`);
    t.comment(JSON.stringify(r.json.tally));
  });
}
