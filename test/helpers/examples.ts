/**
 * Running documentation examples as a user would paste them: in a folder
 * whose node_modules/netmap-pcap is this checkout, as CommonJS files with
 * top-level await wrapped.
 */
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './child';

/** The ```js blocks of a markdown file, in order. */
export function jsBlocks(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** A folder whose node_modules/netmap-pcap is this checkout, to run examples in. */
export function sandbox(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nmp-example-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules', 'netmap-pcap'));
  return dir;
}

/** Write code as a CommonJS file (top-level await wrapped); its path. */
export function script(dir: string, name: string, code: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `(async () => {\n${code}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
  return file;
}
