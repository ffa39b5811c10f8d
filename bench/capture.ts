/**
 * The capture table: gen floods nmp0 at full speed, one consumer at a time
 * captures on nmp1. Per run: packets captured, kernel drops, and the
 * consumer's CPU per captured packet.
 *
 * Placement (2 cores): gen on CPU 0; the consumer and nmp1's NAPI thread
 * (where the kernel copies each frame into the consumer's ring) on CPU 1.
 * Every consumer gets the same offered load and the same neighbour.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child, sleep } from './child';
import type { ConsumerResult } from './consumers/protocol';
import { GEN, Netns } from './env';

export const GEN_CPU = 0;
export const RX_CPU = 1;
/** Where nmp1's NAPI thread runs (see run.ts). */
export const NAPI_CPU = Number(process.env.BENCH_NAPI_CPU ?? 1);

/**
 * What gen sends in a capture run: `size` bytes each (or gen's IMIX mix),
 * raw ethertype-0x88b5 frames or IPv4/UDP ones (gen -p udp).
 */
export interface Frames { size: number | 'imix'; udp?: boolean }

/** gen's arguments for these frames. */
export function genFrameArgs(f: Frames): string[] {
  return ['-s', String(f.size), ...(f.udp ? ['-p', 'udp'] : [])];
}

/** "60-byte frames", "IMIX IPv4/UDP frames (60/590/1514 B, 7:4:1)". */
export function framesTitle(f: Frames): string {
  const kind = f.udp ? ' IPv4/UDP' : '';
  return f.size === 'imix' ? `IMIX${kind} frames (60/590/1514 B, 7:4:1)` : `${f.size}-byte${kind} frames`;
}

export interface CaptureRun {
  consumer: string;
  sent: number;          // frames gen sent
  genPps: number;
  arrived: number;       // nmp1 rx_packets delta
  captured: number;
  drop: number | null;
  cpuNsPerPkt: number;
}

export interface ConsumerSpec {
  name: string;
  argv(ns: Netns, bufferBytes: number): string[];
  /** How long after gen ends the last partial block may wait (its timeout). */
  retireMs: number;
  ready: RegExp;
  /** Restart the consumer's CPU clock and packet count (after warm-up). */
  mark(c: Child, warmupArrived: number): Promise<void>;
  /** A number that grows while packets still arrive. */
  progress(c: Child): number;
  stop(c: Child): Promise<ConsumerResult>;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * CPU time (user + sys) of a process in ns. Preferably the scheduler's
 * on-CPU time of each thread (se.sum_exec_runtime in /proc/PID/task/TID/
 * sched, in ms with ns digits): the source /proc/PID/stat's utime + stime
 * are derived from, without their 10 ms ticks (a tick is 5 ns/pkt over
 * 2 M packets). Falls back to utime + stime where that file is missing.
 */
function procCpuNs(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const m = /^se\.sum_exec_runtime\s*:\s*([\d.]+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8'));
      if (!m) throw new Error('no sum_exec_runtime');
      ns += Number(m[1]) * 1e6;
    }
    return ns;
  } catch {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields 3 and on
    return ((Number(f[11]) + Number(f[12])) * 1e9) / CLK_TCK;
  }
}

function lastProgress(c: Child): number {
  for (let i = c.stdout.length - 1; i >= 0; i--) {
    const m = /^progress (\d+)$/.exec(c.stdout[i]);
    if (m) return Number(m[1]);
  }
  return 0;
}

/** A node consumer script from dist/bench/consumers, capturing on `device`,
 * on `cpu` (a list: "0,1"). */
export function nodeConsumer(name: string, script: string, extra: () => string[] = () => [],
                             cpu: number | string = RX_CPU, device = 'nmp1'): ConsumerSpec {
  return {
    name,
    argv: (ns, buf) => ns.exec(cpu, process.execPath,
      [join(__dirname, 'consumers', script), device, String(buf), ...extra()]),
    retireMs: 100,
    ready: /^ready$/,
    async mark(c) {
      c.proc.stdin!.write('mark\n');
      await c.waitFor(/^marked /, 5_000, name);
    },
    progress: lastProgress,
    async stop(c) {
      c.proc.stdin!.write('stop\n');
      const line = await c.waitFor(/^result /, 10_000, name);
      await c.finish(5_000);
      return JSON.parse(line.slice('result '.length)) as ConsumerResult;
    },
  };
}

/** tcpdump, measured from outside: /proc CPU, its exit summary for counts. */
function tcpdumpConsumer(): ConsumerSpec {
  let cpuAtMark = 0;
  let warmup = 0;
  return {
    name: 'tcpdump -w /dev/null',
    argv: (ns, buf) => ns.exec(RX_CPU, 'tcpdump', ['-i', 'nmp1', '-w', '/dev/null', '-B', String(buf >> 10), '-n']),
    retireMs: 1000, // libpcap's default timeout in tcpdump
    ready: /listening on nmp1/,
    // Its clock restarts after the warm-up as the node consumers' do; it
    // reports one total at exit, so the warm-up frames are taken off it.
    async mark(c, warmupArrived) {
      cpuAtMark = procCpuNs(c.pid);
      warmup = warmupArrived;
    },
    // No packet count until it exits: its CPU time grows while packets come.
    progress: (c) => procCpuNs(c.pid),
    async stop(c) {
      // Read just before stopping: the exit summary would add to it.
      const cpuNs = procCpuNs(c.pid) - cpuAtMark;
      c.proc.kill('SIGINT');
      await c.finish(5_000);
      const num = (re: RegExp): number | null => {
        const m = c.stderr.map((l) => re.exec(l)).find(Boolean);
        return m ? Number(m[1]) : null;
      };
      return {
        captured: Math.max(0, (num(/^(\d+) packets? captured/) ?? 0) - warmup),
        recv: num(/^(\d+) packets? received by filter/),
        drop: num(/^(\d+) packets? dropped by kernel/),
        cpuNs,
      };
    },
  };
}

/**
 * A program written for npm pcap or cap (bench/consumers/pcap-program.ts,
 * cap-program.ts), run on `moduleName`: the peer's directory or the drop-in.
 */
export function programConsumer(name: string, program: 'pcap' | 'cap', moduleName: string,
                                mode: 'bare' | 'decode'): ConsumerSpec {
  return nodeConsumer(name, `${program}-program.js`, () => [moduleName, mode]);
}

export function consumers(pcapDir: string | null): ConsumerSpec[] {
  const list = [
    nodeConsumer('netmap-pcap \'packet\' event', 'nmp-event.js'),
    nodeConsumer('netmap-pcap rxRing() walk', 'nmp-ring.js'),
    tcpdumpConsumer(),
  ];
  // The bare npm-pcap program on npm pcap itself.
  if (pcapDir) list.push(programConsumer(`npm pcap 'packet' event`, 'pcap', pcapDir, 'bare'));
  return list;
}

/** N fanout workers in one process, free to use both CPUs (bench/fanout.ts). */
export function fanoutConsumer(workers: number): ConsumerSpec {
  return nodeConsumer(`netmap-pcap fanout, ${workers} worker${workers > 1 ? 's' : ''}`, 'nmp-fanout.js',
    () => [String(workers)], '0,1');
}

/** Run gen once; its JSON line. */
export async function runGen(ns: Netns, args: string[]): Promise<{ sent: number; pps: number; cpu_ns_per_pkt: number }> {
  const g = new Child(ns.exec(GEN_CPU, GEN, args));
  const code = await g.finish(30_000);
  const line = g.stdout.find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`gen ${args.join(' ')} failed (${code}): ${g.failure()}`);
  return JSON.parse(line);
}

/** Frames of the unmeasured warm-up burst: a tenth of the run. */
function warmupCount(count: number): number {
  return Math.max(10_000, Math.floor(count / 10));
}

/** The last partial block is delivered when its timeout retires it; after
 * that, wait until nothing has moved for 300 ms (cap 10 s). */
async function drain(c: Child, spec: ConsumerSpec): Promise<void> {
  const genEnd = Date.now();
  let last = spec.progress(c);
  let lastChange = Date.now();
  while (Date.now() - genEnd < 10_000) {
    await sleep(50);
    const now = spec.progress(c);
    if (now !== last) { last = now; lastChange = Date.now(); }
    if (Date.now() - lastChange >= 300 && Date.now() - genEnd >= spec.retireMs + 200) break;
  }
}

/** `frames`: what gen sends; a number is raw frames of that size. */
export async function captureOnce(ns: Netns, spec: ConsumerSpec, count: number, frames: Frames | number,
                                  bufferBytes: number): Promise<CaptureRun> {
  const genArgs = genFrameArgs(typeof frames === 'number' ? { size: frames } : frames);
  const c = new Child(spec.argv(ns, bufferBytes));
  try {
    await c.waitFor(spec.ready, 15_000, spec.name);
    // Warm-up: a burst the consumer captures but is not measured on, so
    // that the figures are the steady state (JIT compiled, rings touched).
    const warm0 = ns.counter('nmp1', 'rx_packets');
    await runGen(ns, ['-i', 'nmp0', '-n', String(warmupCount(count)), ...genArgs, '-m', 'txring', '-d', '10']);
    await drain(c, spec);
    await spec.mark(c, ns.counter('nmp1', 'rx_packets') - warm0);
    const rx0 = ns.counter('nmp1', 'rx_packets');
    const gen = await runGen(ns, ['-i', 'nmp0', '-n', String(count), ...genArgs, '-m', 'txring', '-d', '10']);
    await drain(c, spec);
    const r = await spec.stop(c);
    return {
      consumer: spec.name, sent: gen.sent, genPps: gen.pps,
      arrived: ns.counter('nmp1', 'rx_packets') - rx0,
      captured: r.captured, drop: r.drop,
      cpuNsPerPkt: r.captured ? r.cpuNs / r.captured : NaN,
    };
  } finally {
    if (c.running) { c.proc.kill('SIGKILL'); await c.exited; }
  }
}
