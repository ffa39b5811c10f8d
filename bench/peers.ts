/**
 * The npm `pcap` and `cap` modules, installed for the benchmark only: into
 * bench/out/peers, never into the package's dependencies. Typed here with
 * just the surface the benchmark uses.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const PCAP_VERSION = '3.1.0';
export const CAP_VERSION = '0.2.1';

export interface NpmPcapSession {
  on(event: 'packet', listener: (raw: { buf: Buffer; header: Buffer }) => void): this;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  inject(frame: Buffer): void;
  close(): void;
}

/** What decode.packet returns, down to the transport header (null/undefined where it stops). */
export interface NpmPcapDecoded {
  payload?: { payload?: { payload?: { dport?: number } | null } | null } | null;
}

export interface NpmPcap {
  /** Called with warnings such as "nmp0: no IPv4 address assigned". */
  warningHandler: (msg: string) => void;
  createSession(device: string, options: { filter?: string; buffer_size?: number;
    buffer_timeout?: number; snap_length?: number }): NpmPcapSession;
  decode: { packet(raw: { buf: Buffer; header: Buffer }): NpmPcapDecoded };
}

/** cap's surface: a capture into the caller's buffer, and its decoders. */
export interface CapModule {
  Cap: new () => {
    open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
    on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): unknown;
    close(): void;
  };
  decoders: {
    Ethernet(b: Buffer, offset?: number): { info: { type?: number }; offset: number };
    IPV4(b: Buffer, offset?: number): { info: { protocol: number }; offset: number };
    UDP(b: Buffer, offset?: number): { info: { dstport?: number }; offset: number };
    TCP(b: Buffer, offset?: number): { info: { dstport?: number }; offset: number };
    PROTOCOL: { ETHERNET: Record<string, number | string>; IP: Record<string, number | string> };
  };
}

/** Load the module from its directory (as `require` would). */
export function loadPcap(dir: string): NpmPcap {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pcap = require(dir) as NpmPcap;
  // Its one warning here, "no IPv4 address assigned", is expected on the
  // bench's address-less veth and would only clutter stderr.
  pcap.warningHandler = () => {};
  return pcap;
}

/**
 * Install NAME@VERSION under `peersDir` unless it is there and loads.
 * Returns the module directory, or the reason it is unavailable (the exact
 * error, for the results table). Native peers are built by npm, with the
 * local Node headers.
 */
function ensurePeer(peersDir: string, name: string, version: string): { dir: string } | { error: string } {
  const dir = join(peersDir, 'node_modules', name);
  const tryLoad = (): string | null => {
    try {
      // In a child: a module that fails to load must not poison this process.
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(dir)})`], { stdio: 'pipe' });
      return null;
    } catch (err) {
      return String((err as { stderr?: Buffer }).stderr ?? err).trim();
    }
  };
  if (existsSync(dir) && tryLoad() === null) return { dir };
  mkdirSync(peersDir, { recursive: true });
  // A package.json of its own: without one npm walks up and would install
  // into the project's package.json.
  const pkg = join(peersDir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, '{"name":"bench-peers","private":true}\n');
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', peersDir,
      `${name}@${version}`], { stdio: 'pipe', timeout: 300_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const lines = String(e.stderr ?? e.message).split('\n').filter((l) => /error/i.test(l));
    return { error: `npm install ${name}@${version} failed: ${lines.slice(0, 5).join(' | ') || e.message}` };
  }
  const loadError = tryLoad();
  return loadError === null ? { dir } : { error: `${name}@${version} does not load: ${loadError.split('\n').slice(0, 3).join(' | ')}` };
}

/** npm pcap 3.1.0 in bench/out/peers (see ensurePeer). */
export function ensurePcap(peersDir: string): { dir: string } | { error: string } {
  return ensurePeer(peersDir, 'pcap', PCAP_VERSION);
}

/** cap 0.2.1 in bench/out/peers (see ensurePeer): a nan module npm builds here. */
export function ensureCap(peersDir: string): { dir: string } | { error: string } {
  return ensurePeer(peersDir, 'cap', CAP_VERSION);
}
