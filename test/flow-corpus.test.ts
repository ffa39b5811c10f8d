/**
 * The flow layer over every packet of the tcpdump project's 830 test
 * captures: defragmentation, TCP reassembly, the flow table and the
 * application parsers all switched on, never a throw, and the books
 * balance at the end (nothing left pending after flush).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { fullEngine } from './fixtures/flow/full-engine';
import { readAll } from './fixtures/savefile/util';
import { corpusDir } from './helpers/flows';

const dir = corpusDir();

if (dir === null) {
  if (process.env.CI === 'true') t.fail('corpus not found (../shared/corpus/tcpdump-tests)');
  else t.plan(0, 'corpus not found');
} else {
  t.test('every corpus file through the whole flow layer without a throw', async (t) => {
    const files = readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();
    t.ok(files.length >= 800, `${files.length} captures`);
    const problems: string[] = [];
    const totals = new Map<string, number>();
    let packets = 0;
    for (const name of files) {
      const { packets: pkts } = readAll(readFileSync(path.join(dir, name)));
      const f = fullEngine();
      let i = 0;
      try {
        for (; i < pkts.length; i++) f.engine.push(pkts[i].data, pkts[i], pkts[i].linktype);
        f.engine.flush();
      } catch (e) {
        problems.push(`${name} #${i + 1}: threw ${(e as Error).stack}`);
        continue;
      }
      packets += pkts.length;
      const left = f.leftover();
      if (left) problems.push(`${name}: after flush ${left}`);
      for (const [k, v] of Object.entries(f.counts)) totals.set(k, (totals.get(k) ?? 0) + v);
    }
    t.same(problems, [], 'no throws, nothing left pending');
    t.ok(packets > 10_000, `${packets} packets`);
    t.comment([...totals].map(([k, v]) => `${k} ${v}`).join(', '));
    t.ok((totals.get('datagrams') ?? 0) > 0, 'some datagrams rebuilt from fragments');
  });
}
