/**
 * The npm `pcap` module, installed for the benchmark only: into
 * bench/out/peers, never into the package's dependencies. Typed here with
 * just the surface the benchmark uses.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const PCAP_VERSION = '3.1.0';

export interface NpmPcapSession {
  on(event: 'packet', listener: (raw: { buf: Buffer; header: Buffer }) => void): this;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  inject(frame: Buffer): void;
  close(): void;
}

export interface NpmPcap {
  /** Called with warnings such as "nmp0: no IPv4 address assigned". */
  warningHandler: (msg: string) => void;
  createSession(device: string, options: { filter?: string; buffer_size?: number;
    buffer_timeout?: number; snap_length?: number }): NpmPcapSession;
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
 * Install pcap@3.1.0 under `peersDir` unless it is there and loads.
 * Returns the module directory, or the reason it is unavailable (the exact
 * error, for the results table).
 */
export function ensurePcap(peersDir: string): { dir: string } | { error: string } {
  const dir = join(peersDir, 'node_modules', 'pcap');
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
      `pcap@${PCAP_VERSION}`], { stdio: 'pipe', timeout: 300_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const lines = String(e.stderr ?? e.message).split('\n').filter((l) => /error/i.test(l));
    return { error: `npm install pcap@${PCAP_VERSION} failed: ${lines.slice(0, 5).join(' | ') || e.message}` };
  }
  const loadError = tryLoad();
  return loadError === null ? { dir } : { error: `pcap@${PCAP_VERSION} does not load: ${loadError.split('\n').slice(0, 3).join(' | ')}` };
}
