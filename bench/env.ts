/**
 * The bench's environment: root, the machine's description, the C
 * generator, and the private network namespace (bench/netns.sh) with its
 * cleanup on every way out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';

/** Repository root (this file runs from dist/bench/). */
export const ROOT = join(__dirname, '..', '..');
export const OUT = join(ROOT, 'bench', 'out');
export const GEN = join(OUT, 'gen');
export const PIPE_REF = join(OUT, 'pipe-ref');
/** The bare SPSC ring, the machine's limit the pipe rows are compared with. */
export const PIPE_SPSC = join(OUT, 'pipe-spsc');

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run bench needs root: it creates a network namespace with a veth pair\n' +
      'and opens packet sockets. Run it as root, e.g. `sudo npm run bench`.\n');
    process.exit(1);
  }
  for (const tool of ['ip', 'ethtool', 'taskset', 'tcpdump', 'gcc']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    } catch {
      process.stderr.write(`npm run bench needs \`${tool}\` (Debian: apt-get install iproute2 ethtool util-linux tcpdump gcc)\n`);
      process.exit(1);
    }
  }
}

export interface Machine {
  nproc: number; cpu: string; kernel: string; node: string; date: string; load: string;
  /** The library's commit (BENCH_COMMIT overrides, for a tree without .git). */
  commit: string;
}

export function describeMachine(): Machine {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { nproc: cpus().length, cpu: model, kernel: release(), node: process.version,
    date: new Date().toISOString(), load: loadNow(), commit: commitNow() };
}

function commitNow(): string {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** The 1/5/15-minute load averages: other work on the machine skews results. */
export function loadNow(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

/** Build bench/out/gen from bench/gen.c when missing or older than its source. */
export function buildGen(): void {
  const src = join(ROOT, 'bench', 'gen.c');
  mkdirSync(OUT, { recursive: true });
  if (existsSync(GEN) && statSync(GEN).mtimeMs >= statSync(src).mtimeMs) return;
  execFileSync('gcc', ['-O2', '-Wall', '-o', GEN, src], { stdio: 'inherit' });
}

/** The library's C files bench/pipe-ref.c is linked with: the pipe backend and what it needs. */
const PIPE_REF_C = ['port_pipe.c', 'ring.c', 'mem.c', 'nmp_err.c', 'filter.c'];

/**
 * Build bench/out/pipe-ref (the C reference for pipe: ports) from
 * bench/pipe-ref.c and the library's pipe backend in csrc/, when missing or
 * older than any of those sources or csrc/'s headers. Needs gcc and
 * libpcap's headers (Debian: libpcap-dev, which the addon needs too).
 */
export function buildPipeRef(): void {
  const csrc = join(ROOT, 'csrc');
  const srcs = [join(ROOT, 'bench', 'pipe-ref.c'), ...PIPE_REF_C.map((f) => join(csrc, f))];
  const deps = [...srcs, ...readdirSync(csrc).filter((f) => f.endsWith('.h')).map((f) => join(csrc, f))];
  mkdirSync(OUT, { recursive: true });
  if (existsSync(PIPE_REF) && deps.every((d) => statSync(PIPE_REF).mtimeMs >= statSync(d).mtimeMs)) return;
  execFileSync('gcc', ['-O2', '-Wall', '-o', PIPE_REF, ...srcs, '-lpcap', '-lpthread'], { stdio: 'inherit' });
}

/** Build bench/out/pipe-spsc (bench/pipe-spsc.c: no library code) when missing or stale. */
export function buildPipeSpsc(): void {
  const src = join(ROOT, 'bench', 'pipe-spsc.c');
  mkdirSync(OUT, { recursive: true });
  if (existsSync(PIPE_SPSC) && statSync(PIPE_SPSC).mtimeMs >= statSync(src).mtimeMs) return;
  execFileSync('gcc', ['-O2', '-Wall', '-o', PIPE_SPSC, src], { stdio: 'inherit' });
}

/**
 * The namespace: nmp0 (senders) <-> nmp1 (receivers), both inside it, so
 * no frame ever reaches the host's interfaces. `down` is idempotent.
 */
export class Netns {
  readonly name = `nmpbench-${process.pid}`;
  #up = false;
  /** nmp1's NAPI kthreads: the ones that appeared with our namespace. */
  #napiPids: string[] = [];

  up(): void {
    const before = new Set(napiThreads());
    execFileSync('bash', [join(ROOT, 'bench', 'netns.sh'), 'up', this.name], { stdio: 'inherit' });
    this.#up = true;
    this.#napiPids = napiThreads().filter((p) => !before.has(p));
  }

  down(): void {
    if (!this.#up) return;
    this.#up = false;
    try {
      execFileSync('bash', [join(ROOT, 'bench', 'netns.sh'), 'down', this.name], { stdio: 'inherit' });
    } catch { /* best effort: we are on the way out */ }
  }

  /** argv that runs `cmd` inside the namespace, pinned to `cpu`. */
  exec(cpu: number | string, cmd: string, args: string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, 'taskset', '-c', String(cpu), cmd, ...args];
  }

  /** An interface counter, read inside the namespace (sysfs is per netns). */
  counter(dev: string, name: string): number {
    return Number(execFileSync('ip', ['netns', 'exec', this.name, 'cat',
      `/sys/class/net/${dev}/statistics/${name}`], { encoding: 'utf8' }).trim());
  }

  /**
   * Pin nmp1's threaded-NAPI kthread (the veth receive work, where the
   * kernel copies frames into every packet socket's ring) to `cpu`, so it
   * is not a scheduler lottery which core it shares with whom.
   */
  pinReceiveThread(cpu: number): void {
    for (const pid of this.#napiPids) execFileSync('taskset', ['-pc', String(cpu), pid], { stdio: 'pipe' });
  }
}

/**
 * PIDs of kthreads named napi/nmp1-N (other namespaces may have some too).
 * Read from /proc: pgrep refuses patterns longer than 15 characters.
 */
function napiThreads(): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return /^napi\/nmp1-\d+$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      return false; // gone in between
    }
  });
}
