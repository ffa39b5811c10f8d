// bench/report.ts: the capture tables' issue-12 verdicts, computed from the
// rows they are printed under (no machine, no root: the tables' text only).
import t from 'tap';
import { panelsOf } from '../bench/chart';
import { captureTable, captureVerdicts, dropInTable, DropInPair } from '../bench/report';
import type { CaptureRun } from '../bench/capture';

const run = (cpuNsPerPkt: number, lost = 0, drop: number | null = 0): CaptureRun =>
  ({ consumer: '', sent: 1000, genPps: 8e5, arrived: 1000, captured: 1000 - lost, drop, cpuNsPerPkt });
const row = (name: string, ...runs: CaptureRun[]) => ({ name, runs, failures: [] as string[] });

t.test("the 'packet' event and ring walk verdicts", async (t) => {
  t.match(captureVerdicts(60, 40, 100), /'packet' event[^\n]*: \*\*met\*\* \(60\.0 ns; tcpdump 100\.0, ring walk 40\.0 \+ 25\)/);
  t.match(captureVerdicts(60, 40, 100), /rxRing\(\) walk ≤ 0\.6× [^\n]*: \*\*met\*\* \(40\.0 ns = 0\.40×\)/);
  // Under tcpdump's but 30 ns over the ring walk's: not met.
  t.match(captureVerdicts(70, 40, 100), /'packet' event[^\n]*: \*\*not met\*\*/);
  // Within 25 ns of the walk but over tcpdump's: not met; the walk at 0.61×: not met.
  t.match(captureVerdicts(80, 61, 79), /'packet' event[^\n]*: \*\*not met\*\*/);
  t.match(captureVerdicts(80, 61, 100), /rxRing\(\) walk[^\n]*: \*\*not met\*\* \(61\.0 ns = 0\.61×\)/);
  t.match(captureVerdicts(80, NaN, 100), /'packet' event[^\n]*: not measured\n[^\n]*: not measured$/);
});

t.test('captureTable prints the verdicts from its own rows', async (t) => {
  const text = captureTable([row("netmap-pcap 'packet' event", run(70), run(74), run(200)),
    row('netmap-pcap rxRing() walk', run(50)), row('tcpdump -w /dev/null', run(100)),
    row("npm pcap 'packet' event", run(150))]);
  t.match(text, /- npm pcap \/ netmap-pcap 'packet' event \(ns\/pkt\): 2\.03×/, 'the ratio lines stay');
  t.match(text, /'packet' event[^\n]*: \*\*met\*\* \(74\.0 ns; tcpdump 100\.0, ring walk 50\.0 \+ 25\)/, 'the median run');
  t.match(text, /rxRing\(\) walk[^\n]*: \*\*met\*\* \(50\.0 ns = 0\.50×\)/);
});

const target = (factor: number, noDrops: boolean, peerModule: string) => ({ factor, noDrops, peerModule });

t.test('the drop-in table: each drop-in against its own peer, and its target', async (t) => {
  const pairs: DropInPair[] = [
    { peer: row('npm pcap 3.1.0: bare', run(150)), dropIn: row('netmap-pcap/pcap: bare', run(50)),
      target: target(2, true, 'npm pcap 3.1.0') },
    // 3.3× less, but one run lost packets: not met.
    { peer: row('npm pcap 3.1.0: decode', run(600)), dropIn: row('netmap-pcap/pcap: decode', run(180), run(180, 5)),
      target: target(3, true, 'npm pcap 3.1.0') },
    // cap has no drop counter (null): only "no more CPU than cap" counts.
    { peer: row('cap 0.2.1: bare', run(200, 0, null)), dropIn: row('netmap-pcap/cap: bare', run(210, 0, null)),
      target: target(1, false, 'cap 0.2.1') },
    { peer: { ...row('cap 0.2.1: decode'), missing: 'npm install cap@0.2.1 failed: gyp ERR!' },
      dropIn: row('netmap-pcap/cap: decode', run(300, 0, null)), target: target(1, false, 'cap 0.2.1') },
  ];
  const text = dropInTable(pairs);
  t.match(text, /\| netmap-pcap\/pcap: bare \|[^\n]*\| 50\.0 \| 0\.33× \|/, 'CPU against its own peer');
  t.match(text, /\| npm pcap 3\.1\.0: decode \|[^\n]*\| 1\.00× \| the peer;/);
  t.match(text, /\| netmap-pcap\/cap: bare \|[^\n]*\| — \| 210\.0 \| 1\.05× \|/, 'no drop count for cap');
  t.match(text, /\| cap 0\.2\.1: decode \|[^\n]*not measured: npm install cap@0\.2\.1 failed/);
  t.match(text, /- netmap-pcap\/pcap: bare: ≥ 2× less CPU per packet than npm pcap 3\.1\.0, no drops \(issue 12\): \*\*met\*\* \(50\.0 against 150\.0 ns\/pkt: peer ÷ drop-in = 3\.00×; 0 lost/);
  t.match(text, /- netmap-pcap\/pcap: decode: ≥ 3× less [^\n]*: \*\*not met\*\* \(180\.0 against 600\.0 [^\n]*= 3\.33×; 5 lost in the worst run\)/);
  t.match(text, /- netmap-pcap\/cap: bare: no more CPU per packet than cap 0\.2\.1 \(issue 12\): \*\*not met\*\* \(210\.0 against 200\.0/);
  t.match(text, /- netmap-pcap\/cap: decode: [^\n]*: not measured \(cap 0\.2\.1: decode: npm install cap@0\.2\.1 failed/);
  const [panel] = panelsOf(`### Drop-ins\n\n${text}\n`);
  t.equal(panel.measure, 'ns/pkt vs the peer', 'the chart draws it');
  // No bar where a side was not measured.
  t.same(panel.bars.map((b) => b.ratio), [1, 0.33, 1, 0.3, 1, 1.05]);
});
