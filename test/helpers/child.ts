/**
 * Run a TypeScript fixture in a child process (optionally inside a netns),
 * with a hard timeout, and parse its last stdout line as JSON.
 *
 * How the child runs TS: the same way tap runs test files. tap's
 * @tapjs/typescript plugin starts each test with
 *   --import=.../@tapjs/typescript/dist/esm/import.mjs
 * which just imports `@isaacs/ts-node-temp-fork-for-pr-2009/import`
 * (ts-node's CJS require hook + ESM loader) with TS_NODE_TRANSPILE_ONLY=1.
 * We import that fork directly, resolved from @tapjs/typescript's own
 * location so it is found whether or not npm hoisted it. This works from a
 * clean `npm ci` and also outside tap (no dependency on process.execArgv).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Netns } from './netns';

/** Repository root (test/helpers/ is two levels down). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** node flags that make a child able to run .ts files (and TS imports). */
export function tsNodeArgs(): string[] {
  const fromTap = createRequire(require.resolve('@tapjs/typescript/package.json'));
  const hook = fromTap.resolve('@isaacs/ts-node-temp-fork-for-pr-2009/import');
  // prefer-compiled: the library from dist/ where it is up to date (see there).
  return [`--require=${path.join(__dirname, 'prefer-compiled.cjs')}`, `--import=${pathToFileURL(hook).href}`,
    '--enable-source-maps'];
}

export interface ChildOptions {
  /** Hard limit; the child's process group gets SIGKILL after it. Default 30 s. */
  timeoutMs?: number;
  /** Extra environment (merged over process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default: repository root. */
  cwd?: string;
  /** Extra node flags, e.g. ['--expose-gc']. */
  nodeArgs?: string[];
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Last non-empty stdout line parsed as JSON; undefined if absent/invalid. */
  json: any;
  /** Why json is undefined, if it is. */
  jsonError?: string;
}

// Children still running, killed if we exit first (tap timeout, crash).
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // group already gone
  }
}

function parseLastLine(stdout: string): { json: any; jsonError?: string } {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { json: undefined, jsonError: 'no stdout' };
  try {
    return { json: JSON.parse(lines[lines.length - 1]) };
  } catch (e) {
    return { json: undefined, jsonError: `last line is not JSON: ${(e as Error).message}` };
  }
}

/** Spawn argv[0] with argv[1..], collect everything, never hang (for commands that are not .ts fixtures). */
export function spawnCollect(argv: string[], opts: ChildOptions): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = {
    // Transpile only, as tap does: type-checking each fixture is slow and
    // tsc (npm run build:ts) is where types are checked.
    TS_NODE_TRANSPILE_ONLY: '1',
    ...process.env,
    ...opts.env,
  };
  const tsconfig = path.join(repoRoot, 'tsconfig.json');
  if (!env.TS_NODE_PROJECT && existsSync(tsconfig)) env.TS_NODE_PROJECT = tsconfig;

  return new Promise((resolve, reject) => {
    // detached: own process group, so the timeout also kills grandchildren.
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd ?? repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      reject(e);
    });
    // 'close' (not 'exit') so all output has been read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve({ code, signal, timedOut, stdout, stderr, ...parseLastLine(stdout) });
    });
  });
}

function nodeArgv(fixturePath: string, args: string[], opts: ChildOptions): string[] {
  const file = path.resolve(fixturePath);
  return [process.execPath, ...tsNodeArgs(), ...(opts.nodeArgs ?? []), file, ...args];
}

/** Run a .ts fixture in a plain child process (e.g. to survive its crash). */
export function runChild(
  fixturePath: string, args: string[] = [], opts: ChildOptions = {},
): Promise<ChildResult> {
  return spawnCollect(nodeArgv(fixturePath, args, opts), opts);
}

/** Run a .ts fixture inside the namespace: `ip netns exec NS node ... fixture args`. */
export function runInNetns(
  ns: Netns | string, fixturePath: string, args: string[] = [], opts: ChildOptions = {},
): Promise<ChildResult> {
  const name = typeof ns === 'string' ? ns : ns.name;
  // ip netns exec execvp()s node, so the pid we kill on timeout is node's.
  return spawnCollect(['ip', 'netns', 'exec', name, ...nodeArgv(fixturePath, args, opts)], opts);
}

/** What scenario runners need of a tap Test (keeps this file tap-agnostic). */
export interface FailLike {
  fail(...args: any[]): unknown;
}

/**
 * A runner for a scenario fixture (`FIXTURE SCENARIO [JSON params]`, one
 * JSON line out) inside a namespace: resolves to that line's object, or
 * fails the test with the child's output and resolves to {}.
 */
export function scenarioRunner(fixturePath: string, opts: ChildOptions = { timeoutMs: 60_000 }) {
  return async (t: FailLike, ns: Netns | string, name: string, params: object = {}): Promise<any> => {
    const r = await runInNetns(ns, fixturePath, [name, JSON.stringify(params)], opts);
    if (r.code !== 0 || !r.json) {
      t.fail(`${name} failed (exit ${r.code}, signal ${r.signal})`, { stdout: r.stdout, stderr: r.stderr });
      return {};
    }
    return r.json;
  };
}
