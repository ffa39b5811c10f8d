/**
 * The require hook's logic: which `require()` requests belong to the npm
 * `pcap` and `cap` modules, and where our drop-ins for them live.
 *
 * Kept apart from `register.ts` (which installs the hook as a side effect of
 * being loaded) so that tests can check the mapping against any directory.
 */
import Module = require('node:module');
import * as path from 'node:path';

/**
 * Deep paths into npm `cap` 0.2.1 that are files of that package, mapped to
 * ours (relative to the compat root, without extension). Any other `cap/…`
 * request is not ours to answer and is left to Node.
 */
const CAP_PATHS: Readonly<Record<string, string>> = {
  'cap': 'cap/index',
  'cap/lib/Cap': 'cap/index',
  'cap/lib/Cap.js': 'cap/index',
  'cap/lib/Decoders': 'cap/decoders/index',
  'cap/lib/Decoders.js': 'cap/decoders/index',
};

/**
 * Where `request` should load from under `compatRoot` (the directory holding
 * `pcap/` and `cap/`), or `null` when the request is not one we replace.
 *
 * - `pcap` is npm pcap's main file, `pcap/pcap.js`;
 * - `pcap/<path>` is the same path under our `pcap/` (Node then adds `.js` or
 *   finds `index.js` as it would in the real package); paths that climb out
 *   with `..` are refused;
 * - `cap`, `cap/lib/Cap` and `cap/lib/Decoders` are cap's files.
 */
export function compatTarget(request: string, compatRoot: string): string | null {
  const capPath = CAP_PATHS[request];
  if (capPath !== undefined) return path.join(compatRoot, capPath);
  if (request === 'pcap') return path.join(compatRoot, 'pcap', 'pcap');
  if (!request.startsWith('pcap/')) return null;
  const pcapDir = path.join(compatRoot, 'pcap');
  const target = path.join(pcapDir, request.slice('pcap/'.length));
  return target.startsWith(pcapDir + path.sep) ? target : null;
}

/** The slice of Node's CommonJS loader the hook replaces (internal, but stable since Node 0.x). */
type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals { _resolveFilename: ResolveFilename }

const installed = new Set<string>();

/**
 * Make `require('pcap')`, `require('pcap/…')` and `require('cap')` load from
 * `compatRoot`, in this process, for every module. Only the resolution of
 * those names changes: every other request goes to Node's resolver untouched.
 * Installing twice for the same root is a no-op.
 */
export function installRequireHook(compatRoot: string): void {
  const root = path.resolve(compatRoot);
  if (installed.has(root)) return;
  installed.add(root);
  const loader = Module as unknown as ModuleInternals;
  const original = loader._resolveFilename;
  loader._resolveFilename = function resolveCompat(request, parent, isMain, options) {
    const target = typeof request === 'string' ? compatTarget(request, root) : null;
    if (target === null) return original.call(this, request, parent, isMain, options);
    // An absolute path: Node adds `.js` or `/index.js` exactly as it does for
    // a path inside the real package.
    try {
      return original.call(this, target, parent, isMain, options);
    } catch (err) {
      throw explainMissing(err, request, target);
    }
  };
}

/**
 * A request we map but cannot serve (a deep path the real module has and we
 * do not): keep Node's error and its code, so `try { require(…) }` code that
 * checks MODULE_NOT_FOUND still works, and name both paths in the message.
 */
function explainMissing(err: unknown, request: string, target: string): unknown {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') return err;
  err.message = `Cannot find module '${request}': netmap-pcap's require hook maps it to ${target}, ` +
    'which does not exist. Check the path against the npm module\'s own files, or run `npm run build` ' +
    'if this is a checkout of netmap-pcap.';
  return err;
}
