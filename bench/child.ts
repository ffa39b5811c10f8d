/**
 * Child processes of the bench: spawned inside the namespace, watched line
 * by line, always bounded in time, and all killed if the bench stops early.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcess>();

/** Kill every child still running (the bench is going down). */
export function killAll(): void {
  for (const c of live) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

export class Child {
  readonly proc: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  #listeners: Array<() => void> = [];

  constructor(argv: string[]) {
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.proc);
    this.exited = new Promise((resolve) => {
      this.proc.on('close', (code) => { live.delete(this.proc); this.#notify(); resolve(code); });
      this.proc.on('error', (err) => { this.stderr.push(String(err)); live.delete(this.proc); this.#notify(); resolve(null); });
    });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => { this.stdout.push(l); this.#notify(); });
    createInterface({ input: this.proc.stderr! }).on('line', (l) => { this.stderr.push(l); this.#notify(); });
  }

  /** The child's own `error: ...` line if it printed one, else its last stderr lines. */
  failure(): string {
    return this.stderr.find((l) => l.startsWith('error: ')) ?? this.stderr.slice(-5).join(' | ');
  }

  get pid(): number { return this.proc.pid ?? -1; }
  get running(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }

  #notify(): void {
    const ls = this.#listeners;
    this.#listeners = [];
    for (const l of ls) l();
  }

  /** Resolves when a line of stdout or stderr matches; throws on exit or timeout. */
  async waitFor(re: RegExp, timeoutMs: number, what: string): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = [...this.stdout, ...this.stderr].find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (!this.running) throw new Error(`${what}: exited before printing ${re}; stderr: ${this.failure()}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${what}: no ${re} within ${timeoutMs} ms; stderr: ${this.failure()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#listeners.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Wait for exit, killing the child if it takes longer than timeoutMs. */
  async finish(timeoutMs: number): Promise<number | null> {
    const t = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    try { return await this.exited; } finally { clearTimeout(t); }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
