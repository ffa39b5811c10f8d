// bench/flows*.ts: the numbers the flows part computes (tshark's output, ratios, the N-core model).
import t from 'tap';
import { FollowCounter, LineCounter, lessStartup, parseTimes } from '../bench/flows-tshark';
import { rates, speedup } from '../bench/flows-report';
import { modelPps } from '../bench/flows-fanout';

const FOLLOW = `
===================================================================
Follow: tcp,raw
Filter: tcp.stream eq 0
Node 0: 198.18.0.0:10000
Node 1: 198.19.0.1:80
0a0b0c
\tdeadbeef
===================================================================

===================================================================
Follow: tcp,raw
Filter: tcp.stream eq 1
Node 0: 198.18.0.1:10001
Node 1: 198.19.0.2:80
ff
===================================================================
`;

t.test('FollowCounter: streams and bytes, whatever the chunks', async (t) => {
  for (const size of [1, 3, 7, FOLLOW.length]) {
    const k = new FollowCounter();
    for (let i = 0; i < FOLLOW.length; i += size) k.push(FOLLOW.slice(i, i + size));
    k.end();
    t.same([k.streams, k.bytes], [2, 8], `chunks of ${size}`);
  }
  const l = new LineCounter();
  l.push('1\n2\n'); l.push('3\n');
  t.equal(l.lines, 3);
});

t.test('parseTimes: the children line of bash times, user + sys', async (t) => {
  t.equal(parseTimes('0m0.001s 0m0.002s\n1m2.500s 0m0.500s\n'), 63e9);
  t.throws(() => parseTimes('tshark: oops\n'), /no CPU times/);
  t.same(lessStartup({ wallNs: 5e9, cpuNs: 3e9 }, { wallNs: 0.5e9, cpuNs: 0.4e9 }), { wallNs: 4.5e9, cpuNs: 2.6e9 });
  t.same(lessStartup({ wallNs: 1, cpuNs: 1 }, { wallNs: 2, cpuNs: 2 }), { wallNs: 0, cpuNs: 0 }, 'never negative');
});

t.test('rates and speedup: medians, > 1 = faster', async (t) => {
  const row = (wallNs: number, cpuNs: number) => ({ name: 'x', failures: [],
    runs: [{ packets: 1000, bytes: 125_000, units: 2, wallNs, cpuNs }] });
  const a = rates(row(1e6, 1e6));
  t.same([a.pps, a.gbps, a.nsPerPkt], [1e6, 1, 1000]);
  const b = rates(row(4e6, 2e6));
  t.same(speedup(a, b), { wall: 4, cpu: 2 });
  t.ok(Number.isNaN(rates(undefined).pps), 'no row: NaN, shown as —');
});

t.test('modelPps: the distributor or the workers bound the rate', async (t) => {
  t.same(modelPps(500, 2000, 2), { dedicated: 5e5, shared: 8e5 });
  t.equal(modelPps(500, 500, 16).shared, 2e6, 'one distributor thread: never more than 1e9 / D');
  t.equal(modelPps(500, 2000, 16).dedicated, 2e6, '15 workers would do 7.5 Mpps; the distributor caps at 2');
  t.ok(Number.isNaN(modelPps(500, 2000, 1).dedicated));
});
