/**
 * Helpers for the nmsend tests: run nmsend (the built dist/bin/nmsend.js
 * when it is newer than every source it is built from, as after `npm run
 * build`; else bin/nmsend.ts through ts-node, the way tap runs tests, which
 * costs seconds per start on a busy machine), capture with tcpdump on the
 * peer veth, write replay files, and read the summary line back.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { dumpOpen, openOffline } from '../../index';
import { repoRoot, spawnCollect, tsNodeArgs } from './child';
import type { ChildResult } from './child';
import type { Netns } from './netns';

export const NMSEND = path.join(repoRoot, 'bin', 'nmsend.ts');
const BUILT = path.join(repoRoot, 'dist', 'bin', 'nmsend.js');

/** Every .ts file under `dir` (recursively). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Whether each source nmsend is built from has a newer .js in dist/. */
function builtIsFresh(): boolean {
  const files = [path.join(repoRoot, 'index.ts'), ...sources(path.join(repoRoot, 'bin')), ...sources(path.join(repoRoot, 'lib'))];
  return files.every((ts) => {
    const js = path.join(repoRoot, 'dist', path.relative(repoRoot, ts).replace(/\.ts$/, '.js'));
    return existsSync(js) && statSync(js).mtimeMs >= statSync(ts).mtimeMs;
  });
}

let command: string[] | undefined;

/** node and its arguments that start nmsend (decided once per test process). */
function nmsendCommand(): string[] {
  command ??= builtIsFresh() ? [process.execPath, BUILT] : [process.execPath, ...tsNodeArgs(), NMSEND];
  return command;
}

/** The argv that starts nmsend in the namespace (or here, for null). */
export function nmsendArgv(ns: Netns | null, args: string[]): string[] {
  return [...(ns ? ['ip', 'netns', 'exec', ns.name] : []), ...nmsendCommand(), ...args];
}

/** nmsend with these arguments, in the namespace (or not), with a hard timeout. */
export function nmsend(ns: Netns | null, args: string[], timeoutMs = 60_000): Promise<ChildResult> {
  return spawnCollect(nmsendArgv(ns, args), { timeoutMs });
}

/** The figures of nmsend's summary line, or undefined if it printed none. */
export interface Summary {
  sent: number;
  bytes: number;
  seconds: number;
  pps: number;
  failed: number;
  why: string;
}

const SUMMARY = /^nmsend: sent (\d+) packets \((\d+) bytes\) in ([\d.]+) s, (\d+) pps, [\d.]+ Mbit\/s; failed (\d+); (.+)$/m;

export function summaryOf(stderr: string): Summary | undefined {
  const m = SUMMARY.exec(stderr);
  if (!m) return undefined;
  return { sent: +m[1], bytes: +m[2], seconds: +m[3], pps: +m[4], failed: +m[5], why: m[6] };
}

/** A running `tcpdump -w` on an interface in the namespace. */
export interface Capture {
  /**
   * Wait for tcpdump to exit on its own (it stops at `count` packets); if
   * its file stops growing for 3 s first (fewer packets came), SIGINT it.
   * Resolves with tcpdump's summary lines.
   */
  stop(): Promise<string>;
}

/**
 * Start tcpdump for `count` packets (nanosecond timestamps, 64 MiB buffer)
 * and wait until it listens. tcpdump stops itself at the count, so no
 * signal races its ring: a SIGINT drops what the ring still holds. Not
 * immediate mode either: libpcap then uses TPACKET_V2 with snaplen-sized
 * frames, and a slow tcpdump drops.
 */
export function tcpdump(ns: Netns, iface: string, file: string, count: number): Promise<Capture> {
  const child = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '-i', iface, '-w', file, '-B', '65536',
    '--time-stamp-precision=nano', '-c', String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let done = false;
  const exited = new Promise<void>((resolve) => child.on('close', () => { done = true; resolve(); }));
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const stop = async (): Promise<string> => {
    await untilStable(file, 3000, () => done);
    if (!done) child.kill('SIGINT');
    await exited;
    clearTimeout(killer);
    return err.trim().replace(/\s*\n\s*/g, '; ');
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tcpdump did not start: ${err}`)); }, 10_000);
    const check = (): void => {
      if (!err.includes('listening on')) return;
      clearTimeout(timer);
      resolve({ stop });
    };
    child.stderr.on('data', check);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Resolves once `done()` or the file's size has not changed for `ms` (at most 120 s). */
async function untilStable(file: string, ms: number, done: () => boolean): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  for (const end = Date.now() + 120_000; Date.now() < end && !done();) {
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size !== last) {
      last = size;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= ms) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A captured packet: its bytes and its timestamp in ns. */
export interface Captured {
  data: Buffer;
  ns: bigint;
}

/** Every packet of a capture file. */
export async function readCapture(file: string): Promise<Captured[]> {
  const s = await openOffline(file);
  const out: Captured[] = [];
  for await (const p of s.packets({ copy: true })) {
    out.push({ data: p.data, ns: BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec) });
  }
  s.close();
  return out;
}

/** Write a pcap of these frames, `gapNs` apart in capture time. */
export async function writeReplayFile(file: string, frames: Buffer[], gapNs = 1_000_000): Promise<void> {
  const d = dumpOpen({ linktype: 1, snaplen: 65535 }, file, { nanosecond: true });
  let t = 1_700_000_000n * 1_000_000_000n;
  for (const f of frames) {
    d.dump(f, { tsSec: Number(t / 1_000_000_000n), tsNsec: Number(t % 1_000_000_000n), len: f.length });
    t += BigInt(gapNs);
  }
  await d.close();
}

/** First to last capture timestamp, in seconds. */
export function spanSeconds(packets: Captured[]): number {
  return Number(packets[packets.length - 1].ns - packets[0].ns) / 1e9;
}

/** Gap errors against a schedule of `expectedNs` between frames: the
 * median and the 99th percentile of |gap - expected|, in ns. */
export function gapErrors(packets: Captured[], expectedNs: number): { median: number; p99: number } {
  const errs: number[] = [];
  for (let i = 1; i < packets.length; i++) errs.push(Math.abs(Number(packets[i].ns - packets[i - 1].ns) - expectedNs));
  errs.sort((a, b) => a - b);
  const at = (q: number) => errs[Math.min(errs.length - 1, Math.floor(q * errs.length))];
  return { median: at(0.5), p99: at(0.99) };
}
