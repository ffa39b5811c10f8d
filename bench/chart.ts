/**
 * bench/results.svg: the ratio columns of bench/RESULTS.md as bar charts,
 * one panel per table, so a reader sees at a glance where netmap-pcap
 * stands against the reference of each table (the 1.00× line).
 *
 * It reads the Markdown the bench wrote rather than the bench's own data,
 * so the chart always shows what RESULTS.md says, including parts a
 * BENCH_ONLY run left from an earlier run. Run by `npm run bench` after
 * it writes RESULTS.md, or by hand: node dist/bench/chart.js [in.md [out.svg]]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Panel {
  title: string;
  /** The ratio column's header, e.g. "ns/pkt vs tcpdump". */
  measure: string;
  bars: Array<{ label: string; ratio: number }>;
}

const cells = (line: string): string[] => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
const plain = (s: string): string => s.replace(/\*\*|`/g, '');

/** Every table of the Markdown with a "vs" ratio column: its rows' ratios. */
export function panelsOf(markdown: string): Panel[] {
  const lines = markdown.split('\n');
  const panels: Panel[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^#{2,4} /.test(line)) heading = plain(line.replace(/^#+ /, ''));
    if (!line.startsWith('|') || !lines[i + 1]?.startsWith('| ---')) continue;
    const header = cells(line);
    const col = header.findIndex((h) => / vs |^vs /.test(h));
    i += 2;
    const bars: Panel['bars'] = [];
    for (; i < lines.length && lines[i].startsWith('|'); i++) {
      const row = cells(lines[i]);
      const m = col >= 0 ? /([\d.]+)×/.exec(row[col] ?? '') : null;
      if (m) bars.push({ label: plain(row[0]), ratio: Number(m[1]) });
    }
    if (bars.length > 0) panels.push({ title: heading, measure: header[col], bars });
  }
  return panels;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The panels as one SVG: a label column, bars to scale, the 1.00× line. */
export function svgOf(panels: Panel[]): string {
  const W = 900;
  const LABEL = 380;
  const BAR = W - LABEL - 90;
  const ROW = 18;
  let y = 30;
  const parts: string[] = [];
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">netmap-pcap: ratios from bench/RESULTS.md (1.00× = the table's reference)</text>`);
  for (const p of panels) {
    y += 14;
    parts.push(`<text x="10" y="${y}" font-size="13" font-weight="bold">${esc(cut(p.title, 90))}</text>`);
    parts.push(`<text x="${W - 10}" y="${y}" font-size="11" text-anchor="end" fill="#555">${esc(p.measure)}</text>`);
    y += 6;
    const top = y;
    const max = Math.max(1.5, ...p.bars.map((b) => Math.min(b.ratio, 8)));
    const scale = BAR / max;
    for (const b of p.bars) {
      const w = Math.max(1, Math.min(b.ratio, 8) * scale);
      const ours = /netmap-pcap|nmsend|nmdump|JS |xdp:|compat|pipe:/.test(b.label);
      parts.push(`<text x="${LABEL - 6}" y="${y + 13}" font-size="11" text-anchor="end">${esc(cut(b.label, 60))}</text>`);
      parts.push(`<rect x="${LABEL}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${ours ? '#2b6cb0' : '#a0aec0'}"/>`);
      parts.push(`<text x="${(LABEL + w + 4).toFixed(1)}" y="${y + 13}" font-size="11">${b.ratio.toFixed(2)}×${b.ratio > 8 ? ' (cut)' : ''}</text>`);
      y += ROW;
    }
    const one = LABEL + scale;
    parts.push(`<line x1="${one.toFixed(1)}" y1="${top}" x2="${one.toFixed(1)}" y2="${y}" stroke="#c53030" stroke-dasharray="3,2"/>`);
    y += 6;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

/** Write the chart of `markdownFile` to `svgFile`; returns how many panels. */
export function writeChart(markdownFile: string, svgFile: string): number {
  const panels = panelsOf(readFileSync(markdownFile, 'utf8'));
  writeFileSync(svgFile, svgOf(panels));
  return panels.length;
}

if (require.main === module) {
  const root = join(__dirname, '..', '..');
  const [md = join(root, 'bench', 'RESULTS.md'), svg = join(root, 'bench', 'results.svg')] = process.argv.slice(2);
  process.stderr.write(`${writeChart(md, svg)} panels written to ${svg}\n`);
}
