// Issue 14's memory test: a hostile capture (100,000 SYNs, never-completed
// fragments, holes under huge windows) keeps RSS within the configured
// bounds, and the engine says what it dropped or evicted to stay there.
import t from 'tap';
import { join } from 'node:path';
import { runChild } from './helpers/child';

t.test('a hostile capture keeps RSS bounded', async (t) => {
  const r = await runChild(join(__dirname, 'fixtures', 'flow', 'hostile.ts'), [], { timeoutMs: 240_000, nodeArgs: ['--expose-gc'] });
  t.equal(r.code, 0, r.stderr.slice(-800));
  const j = r.json as { packets: number; baseMiB: number; peakMiB: number; stats: Record<string, unknown> } | undefined;
  t.ok(j, 'a result');
  if (!j) return;
  t.equal(j.packets, 100_000 + 100_000 + 2000 * 50, 'every packet pushed');
  const st = j.stats as { tcp: { connections: number; bufferedBytes: number; closed: { evicted: number } };
    defrag: { pendingBytes: number; dropped: { memory: number } }; table: { flows: number } };
  t.ok(st.tcp.connections <= 10_000 && st.tcp.closed.evicted > 0, `connections held at the bound (${st.tcp.connections}), the rest evicted`);
  t.ok(st.tcp.bufferedBytes <= 8 << 20, `TCP buffers within 8 MiB (${st.tcp.bufferedBytes})`);
  t.ok(st.defrag.pendingBytes <= 4 << 20 && st.defrag.dropped.memory > 0, `fragments within 4 MiB (${st.defrag.pendingBytes}), the rest dropped for memory`);
  t.ok(st.table.flows <= 10_000, `flow table at most 10,000 (${st.table.flows})`);
  // Bounds: 10,000 connections and flows, 8 MiB of TCP and 4 MiB of
  // fragment buffers. Unbounded, the fragments alone would hold 280 MB.
  const growth = j.peakMiB - j.baseMiB;
  t.ok(growth < 160, `RSS grew ${growth.toFixed(1)} MiB after warm-up (peak ${j.peakMiB.toFixed(1)} MiB)`);
  t.comment(JSON.stringify(j.stats));
});
