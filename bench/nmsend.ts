/**
 * The nmsend table: `nmsend --topspeed` against `tcpreplay --topspeed`
 * replaying the same file (BENCH_NMSEND_COUNT 60-byte UDP frames) from
 * nmp0, one at a time, in the bench's namespace, pinned to the sender CPU.
 * Per run: packets per second over the replay (each tool's own report),
 * the sender's CPU (user + sys of the whole process, from the shell's
 * `times`, so start-up and reading the file count for both), and how many
 * frames reached nmp1. If Debian's tcpreplay is missing, its row says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { craftFrame, dumpOpen, parseIpv4, parseMac } from '../index';
import { GEN_CPU } from './capture';
import { Child, sleep } from './child';
import { Netns, OUT, ROOT } from './env';
import { nmsendTimingSection } from './nmsend-timing';
import { median, Row } from './report';

interface ReplayRun {
  sent: number;
  pps: number;
  cpuNsPerPkt: number;
  arrived: number;
}

interface Tool {
  name: string;
  argv(file: string): string;
  /** Packets sent and seconds, from the tool's own output. */
  parse(out: string): { sent: number; seconds: number } | undefined;
}

const NMSEND = join(ROOT, 'dist', 'bin', 'nmsend.js');
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

const TOOLS: Tool[] = [
  {
    name: 'nmsend --topspeed',
    argv: (file) => `${process.execPath} ${NMSEND} -i nmp0 --topspeed ${file}`,
    parse: (out) => {
      const m = /nmsend: sent (\d+) packets \(\d+ bytes\) in ([\d.]+) s/.exec(out);
      return m ? { sent: Number(m[1]), seconds: Number(m[2]) } : undefined;
    },
  },
  {
    name: 'tcpreplay --topspeed',
    argv: (file) => `tcpreplay -i nmp0 --topspeed ${file}`,
    parse: (out) => {
      const m = /Actual: (\d+) packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(out);
      return m ? { sent: Number(m[1]), seconds: Number(m[2]) } : undefined;
    },
  },
];

/** The replay file: `count` 60-byte UDP frames, 1024 distinct ones cycled, 1 us apart. */
async function replayFile(count: number): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `nmsend-${count}.pcap`);
  if (existsSync(file)) return file;
  const frames = Array.from({ length: 1024 }, (_, i) => craftFrame({
    proto: 'udp', size: 60, srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('02:00:00:00:00:02'),
    srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.19.0.1'), srcPort: 1234, dstPort: 1024 + i, ipId: i,
  }));
  const d = dumpOpen({ linktype: 1, snaplen: 65535 }, `${file}.tmp`);
  for (let i = 0; i < count; i++) d.dump(frames[i & 1023], { tsSec: 1_700_000_000 + Math.floor(i / 1e6), tsNsec: (i % 1e6) * 1000, len: 60 });
  await d.close();
  execFileSync('mv', [`${file}.tmp`, file]);
  return file;
}

/** "0m1.234s" → seconds. */
const clock = (s: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

async function runOnce(ns: Netns, tool: Tool, file: string, timeoutMs: number): Promise<ReplayRun> {
  const rx0 = ns.counter('nmp1', 'rx_packets');
  // `times` prints the shell's own CPU, then its children's: the tool's.
  const c = new Child(ns.exec(GEN_CPU, 'bash', ['-c', `${tool.argv(file)} 2>&1; echo "exit $?"; times`]));
  const code = await c.finish(timeoutMs);
  const out = c.stdout.join('\n');
  const r = tool.parse(out);
  const exit = /^exit (\d+)$/m.exec(out)?.[1];
  const times = c.stdout[c.stdout.length - 1]?.trim().split(/\s+/) ?? [];
  if (code !== 0 || exit !== '0' || !r || times.length !== 2) {
    throw new Error(`${tool.name} failed (exit ${exit ?? code}): ${c.stdout.slice(-4).join(' | ')}`);
  }
  await sleep(200); // let nmp1's receive thread finish
  const cpu = clock(times[0]) + clock(times[1]);
  return { sent: r.sent, pps: r.sent / r.seconds, cpuNsPerPkt: (cpu * 1e9) / r.sent, arrived: ns.counter('nmp1', 'rx_packets') - rx0 };
}

function hasTcpreplay(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v tcpreplay'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');

function table(rows: Array<Row<ReplayRun>>, count: number): string {
  const nm = rows[0].runs.length ? rows[0] : undefined;
  const base = { pps: median(nm?.runs.map((r) => r.pps) ?? []), cpu: median(nm?.runs.map((r) => r.cpuNsPerPkt) ?? []) };
  const lines = ['| sender | sent | arrived nmp1 | pps | CPU ns/pkt | nmsend pps ÷ this | this ns/pkt ÷ nmsend | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    if (r.runs.length === 0) {
      lines.push(`| ${r.name} | — | — | — | — | — | — | ${r.missing ?? r.failures[0] ?? 'no runs'} |`);
      continue;
    }
    const pps = median(r.runs.map((x) => x.pps));
    const cpu = median(r.runs.map((x) => x.cpuNsPerPkt));
    const failed = r.failures.length ? `${r.failures.length} runs failed: ${r.failures[0]}` : '';
    lines.push(`| ${r.name} | ${int(median(r.runs.map((x) => x.sent)))} | ${int(median(r.runs.map((x) => x.arrived)))} | ` +
      `${int(pps)} | ${cpu.toFixed(1)} | ${(base.pps / pps).toFixed(2)}× | ${(cpu / base.cpu).toFixed(2)}× | ${failed} |`);
  }
  return `### Replay: nmsend vs tcpreplay, ${count.toLocaleString('en-US')} 60-byte frames, --topspeed\n\n${lines.join('\n')}`;
}

const METHOD = `\
- One file of 60-byte UDP frames (bench/out/nmsend-COUNT.pcap, made by the
  bench), replayed from nmp0 with \`--topspeed\` by each tool in turn, on CPU
  ${GEN_CPU}, nothing capturing on nmp1. Repetitions are interleaved;
  medians are shown.
- pps: packets over the replay's own duration as each tool reports it
  (nmsend's summary line; tcpreplay's "Actual: … sent in S seconds").
- CPU ns/pkt: user + sys CPU of the whole process (bash's \`times\` for its
  child), divided by packets sent; start-up and reading the file are in it
  for both tools (Node's start-up is some tens of ms).
- "arrived nmp1": nmp1's rx_packets delta.`;

/** The nmsend part of RESULTS.md (without its markers). */
export async function nmsendSection(ns: Netns, opts: { count: number; reps: number }): Promise<string> {
  const file = await replayFile(opts.count);
  const tools = TOOLS.filter((t) => t.name.startsWith('nmsend') || hasTcpreplay());
  const rows: Array<Row<ReplayRun>> = TOOLS.map((t) => ({ name: t.name, runs: [], failures: [] }));
  if (tools.length < TOOLS.length) {
    rows[1].missing = 'tcpreplay is not installed (Debian: apt-get install tcpreplay)';
    log(`nmsend bench: ${rows[1].missing}; measuring nmsend alone`);
  }
  for (let rep = 1; rep <= opts.reps; rep++) {
    for (const [i, tool] of TOOLS.entries()) {
      if (!tools.includes(tool)) continue;
      try {
        const r = await runOnce(ns, tool, file, 120_000);
        rows[i].runs.push(r);
        log(`replay rep ${rep}: ${tool.name}: ${int(r.pps)} pps, ${r.cpuNsPerPkt.toFixed(1)} ns/pkt, arrived ${r.arrived}`);
      } catch (err) {
        rows[i].failures.push((err as Error).message.slice(0, 300));
        log(`replay rep ${rep}: ${tool.name}: FAILED: ${(err as Error).message}`);
      }
    }
  }
  const timing = await nmsendTimingSection(ns, opts.reps, hasTcpreplay());
  return `## nmsend\n\n${METHOD}\n\n${table(rows, opts.count)}\n\n${timing}`;
}
