/**
 * Run the built nmdump (dist/bin/nmdump.js, what `npm run build` makes and
 * the package installs), optionally inside a netns, with a hard timeout.
 * `start()` returns the running child, to wait for its "listening on"
 * line and signal it; `run()` waits for it to end.
 */
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './child';

export const NMDUMP = path.join(repoRoot, 'dist', 'bin', 'nmdump.js');

export interface NmdumpRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface NmdumpChild {
  child: ChildProcess;
  /** Resolves when stderr has contained `text` (rejects if the child ends first). */
  waitForStderr(text: string): Promise<void>;
  done: Promise<NmdumpRun>;
}

export interface StartOptions {
  netns?: string;
  timeoutMs?: number;
  stdin?: Buffer;
  env?: NodeJS.ProcessEnv;
}

/** Start nmdump with `args`. */
export function startNmdump(args: string[], opts: StartOptions = {}): NmdumpChild {
  if (!existsSync(NMDUMP)) throw new Error(`${NMDUMP} is missing: run npm run build first`);
  const argv = [...(opts.netns ? ['ip', 'netns', 'exec', opts.netns] : []), process.execPath, NMDUMP, ...args];
  const child = spawn(argv[0], argv.slice(1), {
    cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC', ...opts.env },
  });
  const out: Buffer[] = [];
  let stderr = '';
  const watchers: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of watchers.splice(0)) {
      if (stderr.includes(w.text)) w.resolve();
      else watchers.push(w);
    }
  });
  child.stdin!.on('error', () => { /* the child may exit without reading */ });
  child.stdin!.end(opts.stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  const done = new Promise<NmdumpRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of watchers.splice(0)) w.reject(new Error(`nmdump ended before printing "${w.text}": ${stderr}`));
      resolve({ code, signal, stdout: Buffer.concat(out), stderr });
    });
  });
  return {
    child,
    done,
    waitForStderr: (text) => new Promise((resolve, reject) => {
      if (stderr.includes(text)) resolve();
      else watchers.push({ text, resolve, reject });
    }),
  };
}

/** Run nmdump to its end. */
export function runNmdump(args: string[], opts: StartOptions = {}): Promise<NmdumpRun> {
  return startNmdump(args, opts).done;
}

/** tcpdump, the reference the nmdump tests compare with, is installed. */
export function haveTcpdump(): boolean {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
