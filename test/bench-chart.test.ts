// bench/chart.ts: the README's chart is drawn from RESULTS.md's tables.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { panelsOf, svgOf } from '../bench/chart';
import { repoRoot } from './helpers/child';

const MD = `## Part
### Capture, 60-byte frames

| consumer | CPU ns/pkt | ns/pkt vs tcpdump | notes |
| --- | ---: | ---: | --- |
| netmap-pcap 'packet' event | 40.0 | 0.80× | |
| tcpdump -w /dev/null | 50.0 | 1.00× | |
| **broken row** | — | — | not measured |

| a table | without ratios |
| --- | --- |
| x | y |
`;

t.test('a table with a "vs" column becomes a panel of its rows', async (t) => {
  const panels = panelsOf(MD);
  t.equal(panels.length, 1, 'tables without a ratio column are left out');
  t.same(panels[0], { title: 'Capture, 60-byte frames', measure: 'ns/pkt vs tcpdump',
    bars: [{ label: "netmap-pcap 'packet' event", ratio: 0.8 }, { label: 'tcpdump -w /dev/null', ratio: 1 }] });
  const svg = svgOf(panels);
  t.match(svg, /^<svg [^>]*>/);
  t.match(svg, /0\.80×/);
  t.match(svg, /netmap-pcap &apos;packet&apos;|netmap-pcap 'packet'/);
  t.equal((svg.match(/<rect /g) ?? []).length, 3, 'the background and one bar per row');
});

t.test('the real RESULTS.md charts, every panel with bars', async (t) => {
  const panels = panelsOf(readFileSync(path.join(repoRoot, 'bench', 'RESULTS.md'), 'utf8'));
  t.ok(panels.length >= 5, `${panels.length} panels`);
  for (const p of panels) t.ok(p.bars.every((b) => Number.isFinite(b.ratio) && b.ratio >= 0), p.title);
});

t.test("the injection table's reference is the C sender that delivered the most per second", async (t) => {
  const { injectTable } = await import('../bench/report');
  const run = (pps: number, arrived: number) => ({ sender: '', sent: 1000, pps, cpuNsPerPkt: 900, arrived, retries: 0 });
  const rows = [
    // Every run sends and delivers the same count: the rate must decide.
    { name: 'C gen txring (PACKET_TX_RING)', runs: [run(0.9e6, 1000)], failures: [] },
    { name: 'C gen sendmmsg (256/call)', runs: [run(1.1e6, 1000)], failures: [] },
    // Fastest on the wire but half lost: delivers 0.6 M/s.
    { name: 'C gen send (1 send() per frame)', runs: [run(1.2e6, 500)], failures: [] },
    { name: 'netmap-pcap inject (1/call)', runs: [run(1.045e6, 1000)], failures: [] },
  ];
  const text = injectTable(rows, 1000, 10);
  t.match(text, /Best C sender in this run: C gen sendmmsg/);
  t.match(text, /\| netmap-pcap inject \(1\/call\) \|[^\n]*\| 0\.95× \|/);
  t.match(text, /\| C gen send \(1 send\(\) per frame\) \|[^\n]*\| 0\.55× \|/);
});
