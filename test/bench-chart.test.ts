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
