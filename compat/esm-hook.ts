/**
 * The ESM half of `netmap-pcap/register`: a module-resolution hook (Node's
 * `module.register()`, Node ^18.19 or ≥ 20.6) that makes `import 'pcap'`,
 * `import 'pcap/decode/dns'` and `import 'cap'` load our drop-ins, as the
 * require hook does for `require()`.
 *
 * Node runs this file in its loader thread, so it must not depend on
 * anything register.ts set up in the main thread: it gets the compat root
 * as `data` from register() and maps names with the same compatTarget().
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compatTarget } from './hook';

interface ResolveContext { conditions: string[]; parentURL?: string }
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
type NextResolve = (specifier: string, context: ResolveContext) => ResolveResult | Promise<ResolveResult>;

let compatRoot = path.resolve(__dirname);

/**
 * The main entries get ESM wrappers with named exports (`import { Cap }
 * from 'cap'`, `import { createSession } from 'pcap'`); deep paths load
 * the CommonJS file, whose exports Node turns into the default export.
 */
const ESM_ENTRIES: Readonly<Record<string, string>> = {
  'pcap': 'esm/pcap.mjs',
  'pcap/pcap': 'esm/pcap.mjs',
  'pcap/pcap.js': 'esm/pcap.mjs',
  'cap': 'esm/cap.mjs',
  'cap/lib/Cap': 'esm/cap.mjs',
  'cap/lib/Cap.js': 'esm/cap.mjs',
};

/** Called once by register() with `{ compatRoot }`. */
export function initialize(data: { compatRoot?: string } | undefined): void {
  if (data?.compatRoot) compatRoot = data.compatRoot;
}

/**
 * Resolve `pcap…` and `cap…` to files under the compat root; everything
 * else goes to the next resolver untouched. A deep path is completed as
 * require() would (`.js`, a directory's `index.js`), because npm pcap's
 * users write them without extensions.
 */
export async function resolve(specifier: string, context: ResolveContext,
                              nextResolve: NextResolve): Promise<ResolveResult> {
  const entry = ESM_ENTRIES[specifier];
  if (entry !== undefined) {
    return { url: pathToFileURL(path.join(compatRoot, entry)).href, format: 'module', shortCircuit: true };
  }
  const target = compatTarget(specifier, compatRoot);
  if (target === null) return nextResolve(specifier, context);
  let file: string;
  try {
    file = require.resolve(target);
  } catch {
    const err = new Error(`Cannot find module '${specifier}' imported from ${describeParent(context.parentURL)}: ` +
      `netmap-pcap's import hook maps it to ${target}, which does not exist. Check the path against the npm ` +
      'module\'s own files, or run `npm run build` if this is a checkout of netmap-pcap.') as NodeJS.ErrnoException;
    // The code Node gives a missing import, so code that checks it still works.
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return { url: pathToFileURL(file).href, format: file.endsWith('.json') ? 'json' : 'commonjs', shortCircuit: true };
}

function describeParent(parentURL: string | undefined): string {
  if (!parentURL) return 'the command line';
  return parentURL.startsWith('file:') ? fileURLToPath(parentURL) : parentURL;
}
