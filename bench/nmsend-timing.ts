/**
 * The replay-timing table (issue 17): nmsend and tcpreplay replay the same
 * capture with its own timing, at 1× and at --multiplier 10, onto nmp0;
 * tcpdump captures on nmp1 with nanosecond timestamps; per run, the error
 * of every inter-packet gap against the file's gap (divided by the
 * multiplier), as the median and the 99th percentile.
 *
 * The file: 3,000 60-byte UDP frames over 15 s, gaps drawn from a seeded
 * exponential distribution (mean 5 ms), so short and long waits both occur.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { craftFrame, dumpOpen, openOffline, parseIpv4, parseMac } from '../index';
import { GEN_CPU, RX_CPU } from './capture';
import { Child, sleep } from './child';
import { Netns, OUT, ROOT } from './env';
import { median } from './report';

const NMSEND = join(ROOT, 'dist', 'bin', 'nmsend.js');
const FRAMES = 3000;
const MEAN_GAP_NS = 5e6;
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

interface TimingRun { median: number; p99: number; captured: number }

interface Replayer { name: string; argv(file: string, multiplier: number): string }

const REPLAYERS: Replayer[] = [
  { name: 'nmsend', argv: (f, m) => `${process.execPath} ${NMSEND} -i nmp0 --multiplier ${m} ${f}` },
  { name: 'tcpreplay', argv: (f, m) => `tcpreplay -i nmp0 --multiplier ${m} ${f}` },
];

/** The seeded file and its capture timestamps (ns). */
async function timedFile(): Promise<{ file: string; ts: bigint[] }> {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, 'nmsend-timing.pcap');
  let seed = 20261204;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed + 0.5) / 2 ** 32; };
  const ts: bigint[] = [];
  let t = 1_700_000_000n * 1_000_000_000n;
  for (let i = 0; i < FRAMES; i++) {
    ts.push(t);
    t += BigInt(Math.round(-Math.log(rand()) * MEAN_GAP_NS));
  }
  if (!existsSync(file)) {
    const d = dumpOpen({ linktype: 1, snaplen: 65535 }, `${file}.tmp`, { nanosecond: true });
    for (let i = 0; i < FRAMES; i++) {
      const f = craftFrame({ proto: 'udp', size: 60, srcMac: parseMac('02:00:00:00:00:01'),
        dstMac: parseMac('02:00:00:00:00:02'), srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.19.0.1'),
        srcPort: 1234, dstPort: 4321, ipId: i & 0xffff });
      d.dump(f, { tsSec: Number(ts[i] / 1_000_000_000n), tsNsec: Number(ts[i] % 1_000_000_000n), len: 60 });
    }
    await d.close();
    execFileSync('mv', [`${file}.tmp`, file]);
  }
  return { file, ts };
}

/** |captured gap - file gap / multiplier| per frame, by IP id (frames are matched, not assumed). */
export function gapErrors(sent: bigint[], got: Array<{ id: number; ns: bigint }>, multiplier: number): number[] {
  const errs: number[] = [];
  for (let i = 1; i < got.length; i++) {
    const a = got[i - 1].id;
    const b = got[i].id;
    if (b !== a + 1) continue; // a lost or reordered frame: no gap to judge
    const want = Number(sent[b] - sent[a]) / multiplier;
    errs.push(Math.abs(Number(got[i].ns - got[i - 1].ns) - want));
  }
  return errs.sort((x, y) => x - y);
}

async function runOnce(ns: Netns, r: Replayer, file: string, ts: bigint[], multiplier: number): Promise<TimingRun> {
  const cap = join(OUT, `timing-${r.name}-${multiplier}.pcap`);
  rmSync(cap, { force: true });
  const dump = new Child(ns.exec(RX_CPU, 'tcpdump', ['-i', 'nmp1', '-w', cap, '--time-stamp-precision=nano',
    '-B', '65536', '-c', String(FRAMES), 'udp']));
  await dump.waitFor(/listening on/, 10_000, 'tcpdump');
  const timeoutMs = (Number(ts[FRAMES - 1] - ts[0]) / 1e6) / multiplier + 30_000;
  const send = new Child(ns.exec(GEN_CPU, 'bash', ['-c', `${r.argv(file, multiplier)} >/dev/null 2>&1`]));
  const code = await send.finish(timeoutMs);
  if (code !== 0) throw new Error(`${r.name} exited ${code}`);
  await sleep(500);
  if (dump.running) dump.proc.kill('SIGINT');
  await dump.finish(5000);
  const got: Array<{ id: number; ns: bigint }> = [];
  for await (const p of await openOffline(cap)) {
    got.push({ id: p.data.readUInt16BE(18), ns: BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec) });
  }
  const errs = gapErrors(ts, got, multiplier);
  if (errs.length === 0) throw new Error(`${r.name}: nothing captured`);
  return { median: errs[Math.floor(errs.length / 2)], p99: errs[Math.min(errs.length - 1, Math.floor(errs.length * 0.99))],
    captured: got.length };
}

const us = (ns: number): string => (Number.isFinite(ns) ? (ns / 1e3).toFixed(1) : '—');

/** The timing table (Markdown), nmsend against tcpreplay in one run. */
export async function nmsendTimingSection(ns: Netns, reps: number, hasTcpreplay: boolean): Promise<string> {
  const { file, ts } = await timedFile();
  const lines = ['| replay | multiplier | captured | median gap error (µs) | p99 (µs) | median ÷ tcpreplay\'s | p99 ÷ tcpreplay\'s | runs (median µs) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  const verdicts: string[] = [];
  for (const multiplier of [1, 10]) {
    const runs = new Map<string, TimingRun[]>(REPLAYERS.map((r) => [r.name, []]));
    const failures = new Map<string, string>();
    for (let rep = 1; rep <= reps; rep++) {
      for (const r of REPLAYERS) {
        if (r.name === 'tcpreplay' && !hasTcpreplay) continue;
        try {
          const x = await runOnce(ns, r, file, ts, multiplier);
          runs.get(r.name)!.push(x);
          log(`timing rep ${rep}: ${r.name} x${multiplier}: median ${us(x.median)} µs, p99 ${us(x.p99)} µs, captured ${x.captured}`);
        } catch (err) {
          failures.set(r.name, (err as Error).message.slice(0, 200));
          log(`timing rep ${rep}: ${r.name} x${multiplier}: FAILED: ${(err as Error).message}`);
        }
      }
    }
    const med = (name: string, f: (x: TimingRun) => number): number => median(runs.get(name)!.map(f));
    const ref = { median: med('tcpreplay', (x) => x.median), p99: med('tcpreplay', (x) => x.p99) };
    for (const r of REPLAYERS) {
      const rs = runs.get(r.name)!;
      if (rs.length === 0) {
        lines.push(`| ${r.name} | ${multiplier} | — | — | — | — | — | ${failures.get(r.name) ?? 'tcpreplay is not installed'} |`);
        continue;
      }
      const m = med(r.name, (x) => x.median);
      const p = med(r.name, (x) => x.p99);
      lines.push(`| ${r.name} | ${multiplier} | ${Math.round(med(r.name, (x) => x.captured))} | ${us(m)} | ${us(p)} | ` +
        `${(m / ref.median).toFixed(2)}× | ${(p / ref.p99).toFixed(2)}× | ${rs.map((x) => us(x.median)).join(', ')} |`);
      if (r.name === 'nmsend' && Number.isFinite(ref.median)) {
        const met = m <= ref.median && p <= ref.p99;
        verdicts.push(`- --multiplier ${multiplier}: nmsend's median and p99 gap error ≤ tcpreplay's: ${met ? '**met**' : '**not met**'} ` +
          `(${us(m)} / ${us(p)} µs against ${us(ref.median)} / ${us(ref.p99)} µs)`);
      }
    }
  }
  return `### Replay timing: nmsend vs tcpreplay, ${FRAMES.toLocaleString('en-US')} frames over 15 s (seeded gaps, mean 5 ms)

- Each tool replays bench/out/nmsend-timing.pcap from nmp0 (CPU ${GEN_CPU}) with the file's timing at
  multiplier 1 and 10; tcpdump on nmp1 (CPU ${RX_CPU}) stamps arrivals in ns. A gap's error is
  |arrival gap − file gap ÷ multiplier| between consecutive frames (matched by IP id). Medians of ${reps} runs.

${lines.join('\n')}

${verdicts.join('\n')}`;
}
