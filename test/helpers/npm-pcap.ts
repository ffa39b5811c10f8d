/**
 * npm pcap 3.1.0 for the compat/pcap tests, from bench/out/peers (installed
 * there by bench/peers.ts's ensurePcap if missing, never into the
 * package's own dependencies). Not available: the test fails under CI=true
 * and skips elsewhere.
 */
import { join } from 'node:path';
import { ensurePcap } from '../../bench/peers';
import { repoRoot } from './child';
import type { TestLike } from './netns';

export function npmPcapDir(t: TestLike): string | null {
  const got = ensurePcap(join(repoRoot, 'bench', 'out', 'peers'));
  if ('dir' in got) return got.dir;
  if (process.env.CI === 'true') t.fail(`npm pcap 3.1.0 is needed to compare against: ${got.error}`);
  else t.plan(0, `skip: npm pcap 3.1.0 unavailable: ${got.error}`);
  return null;
}

/** Run fn with console.log silenced (npm pcap prints for what it cannot decode). */
export function quietly<T>(fn: () => T): T {
  const log = console.log;
  console.log = () => {};
  try {
    return fn();
  } finally {
    console.log = log;
  }
}
