/**
 * Helpers for the flow tests: feed a savefile to a FlowEngine through the
 * library's own offline session, capture on an interface inside a netns
 * with tcpdump, and find the tcpdump corpus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { openOffline } from '../../lib/offline';
import type { FlowEngine } from '../../lib/flow/engine';
import type { Netns } from './netns';

/** Push every packet of `file` into `engine`, then flush it. Resolves with the packet count. */
export async function feedFile(engine: FlowEngine, file: string, flush = true): Promise<number> {
  const s = await openOffline(file);
  try {
    const linktype = s.datalink();
    const n = await s.loop(-1, (data, h) => engine.push(data, h, linktype));
    if (flush) engine.flush();
    return n;
  } finally {
    s.close();
  }
}

/** tcpdump running in a namespace, writing `file`; stop() ends it and waits until the file is complete. */
export async function tcpdumpIn(t: { teardown(fn: () => unknown): unknown }, ns: Netns, iface: string, file: string,
  filter: string[] = []): Promise<{ stop(): Promise<void>; stderr(): Promise<string> }> {
  const p: ChildProcess = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '--immediate-mode', '-U', '-n', '-s', '0', '-B', '32768', '-i', iface, '-w', file, ...filter],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { if (p.exitCode === null) p.kill('SIGKILL'); });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    p.stderr!.on('data', (d: Buffer) => {
      err += d;
      if (err.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`tcpdump exited ${code}: ${err}`)); });
  });
  const exited = new Promise<void>((resolve) => p.once('close', () => resolve()));
  return {
    /** tcpdump's stderr, once it has exited (its summary says how many packets the kernel dropped). */
    stderr: async () => { await exited; return err; },
    stop: () => new Promise<void>((resolve) => {
      p.removeAllListeners('exit');
      p.on('exit', () => resolve());
      // Let the last packets reach the file before SIGINT (packets still in the kernel's ring at SIGINT are lost).
      setTimeout(() => p.kill('SIGINT'), 1000);
    }),
  };
}

/** The tcpdump project's test captures (../shared/corpus/tcpdump-tests from the main checkout or a worktree), or null. */
export function corpusDir(): string | null {
  for (const up of [['..', '..', '..'], ['..', '..', '..', '..']]) {
    const d = path.resolve(__dirname, ...up, 'shared', 'corpus', 'tcpdump-tests');
    if (existsSync(d)) return d;
  }
  return null;
}
