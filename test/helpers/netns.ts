/**
 * Network-namespace fixtures for tests that move real packets.
 *
 * Rules these helpers enforce (the network rules in docs/architecture.md, "Tests"):
 *  - traffic only inside namespaces a test creates: every veth is created
 *    with `ip -n NS link add ...`, so neither end ever exists in the root
 *    namespace, not even for a moment;
 *  - tests count packets exactly, so IPv6 is disabled in the namespace
 *    BEFORE the veths exist (no router solicitations, no MLD reports, no
 *    DAD); with no addresses at all a veth emits nothing on its own;
 *  - the namespace is deleted in t.teardown, and again (best effort) at
 *    process exit in case tap kills us before teardown runs.
 *
 * Addresses, if a test needs any, must come from 198.18.0.0/15.
 */
import { execFileSync } from 'node:child_process';

/** The minimal slice of a tap Test we use (keeps this file tap-agnostic). */
export interface TestLike {
  fail(message: string): unknown;
  plan(n: number, comment?: string): unknown;
  teardown(fn: () => unknown): unknown;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Returns true when the test may go on. Call it first in the test.
 * Not root: in CI that is a failure (a silently skipped suite would look
 * green), elsewhere the test is planned as skipped.
 */
export function requireRoot(t: TestLike): boolean {
  if (isRoot()) return true;
  const why = 'needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces';
  if (process.env.CI === 'true') t.fail(`${why}; CI=true so this is a failure, not a skip`);
  else t.plan(0, `skip: ${why}`);
  return false;
}

/** Run a command, return stdout; on failure throw with its stderr attached. */
function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

export interface NetnsOptions {
  /** Disable IPv6 in the namespace (default true: keeps captures silent). */
  disableIpv6?: boolean;
  /** veth end names (default 'va' and 'vb'). */
  veth?: [string, string];
}

let counter = 0;
const live = new Set<Netns>();

// Last-chance cleanup on an orderly exit. A test process killed by a
// signal it does not handle (tap's timeout) runs neither teardown nor
// 'exit': sweepStale() removes what such a process left behind.
process.on('exit', () => {
  for (const ns of live) ns.destroy();
});

let swept = false;

/**
 * Delete `nmpt-<pid>-<n>` namespaces whose process is gone (once per
 * process). A live pid's namespaces are never touched, so concurrent test
 * runs keep theirs.
 */
function sweepStale(): void {
  if (swept) return;
  swept = true;
  for (const name of listTestNetns()) {
    const pid = Number(/^nmpt-(\d+)-\d+$/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    try { run('ip', ['netns', 'del', name]); } catch { /* gone meanwhile */ }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Netns {
  readonly name: string;
  readonly veth: [string, string];

  private constructor(name: string, veth: [string, string]) {
    this.name = name;
    this.veth = veth;
  }

  /**
   * Create `nmpt-<pid>-<n>` with a veth pair (both ends inside), lo up.
   * With `t`, deletion is registered as t.teardown.
   * async so callers need not change if setup ever has to wait.
   */
  static async create(t?: TestLike, opts: NetnsOptions = {}): Promise<Netns> {
    sweepStale();
    const name = `nmpt-${process.pid}-${counter++}`;
    const [a, b] = opts.veth ?? ['va', 'vb'];
    run('ip', ['netns', 'add', name]);
    const ns = new Netns(name, [a, b]);
    live.add(ns);
    if (t) t.teardown(() => ns.destroy());
    try {
      if (opts.disableIpv6 !== false) {
        // 'default' makes the veths start with IPv6 off; 'all' covers lo.
        ns.exec('sysctl', ['-q', '-w',
          'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      }
      run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', name, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      run('ip', ['-n', name, 'link', 'set', a, 'up']);
      run('ip', ['-n', name, 'link', 'set', b, 'up']);
    } catch (e) {
      ns.destroy();
      throw e;
    }
    return ns;
  }

  /** Run `cmd args...` inside the namespace (synchronously); returns stdout. */
  exec(cmd: string, args: string[] = []): string {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /** Delete the namespace (idempotent). Its veths go with it. */
  destroy(): void {
    if (!live.delete(this)) return;
    try {
      run('ip', ['netns', 'del', this.name]);
    } catch {
      // already gone (e.g. deleted by the test itself): nothing to do
    }
  }
}

/** Callback style: a fresh namespace for the duration of fn. */
export async function withNetns<T>(
  t: TestLike, fn: (ns: Netns) => T | Promise<T>, opts?: NetnsOptions,
): Promise<T> {
  const ns = await Netns.create(t, opts);
  try {
    return await fn(ns);
  } finally {
    ns.destroy();
  }
}

/** Names of our namespaces currently present (ip netns list). */
export function listTestNetns(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith('nmpt-'));
}
