/**
 * nfdump's collector for the IPFIX tests: nfcapd receiving on 127.0.0.1,
 * and nfdump reading its files back as JSON.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import * as path from 'node:path';

/** One flow as nfdump prints it with -o json (the fields the tests compare). */
export interface NfFlow {
  first: string; last: string; proto: number;
  src4_addr?: string; dst4_addr?: string; src6_addr?: string; dst6_addr?: string;
  src_port: number; dst_port: number;
  in_packets: number; in_bytes: number; out_packets: number; out_bytes: number;
}

/** A free UDP port on 127.0.0.1 (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Start nfcapd writing into `dir`; stop() ends it (SIGTERM flushes its file) and resolves when it has exited. */
export async function nfcapd(t: { teardown(fn: () => unknown): unknown }, dir: string, port: number): Promise<{ stop(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const p = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir, '-t', '3600'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { if (p.exitCode === null) p.kill('SIGKILL'); });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => { out += d; });
  p.stderr!.on('data', (d: Buffer) => { out += d; });
  // nfcapd prints nothing reliable when ready: give it a moment to bind.
  await new Promise((r) => setTimeout(r, 700));
  if (p.exitCode !== null) throw new Error(`nfcapd exited: ${out}`);
  return {
    stop: () => new Promise<void>((resolve) => {
      p.on('exit', () => resolve());
      // Datagrams already sent must be read before it stops.
      setTimeout(() => p.kill('SIGTERM'), 700);
    }),
  };
}

/** Every flow in nfcapd's files under `dir`. */
export function nfdumpRead(dir: string): NfFlow[] {
  // With -q nfdump prints the objects separated by commas, without the enclosing brackets.
  const text = execFileSync('nfdump', ['-R', path.resolve(dir), '-o', 'json', '-q'], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return [];
  return JSON.parse(text.startsWith('[') ? text : `[${text}]`) as NfFlow[];
}
