/**
 * `node -r netmap-pcap/register app.js` or `node --import
 * netmap-pcap/register app.mjs`: a program written for the npm `pcap` or
 * `cap` module runs on netmap-pcap with no change at all.
 *
 * Loading this file is the whole API. It installs the require hook for the
 * drop-ins that sit beside it (dist/compat/pcap, dist/compat/cap) and, where
 * Node has `module.register()` (^18.19, ≥ 20.6), the import hook
 * (esm-hook.ts) for the same names, so CommonJS and ESM programs both work
 * whichever flag loaded it.
 */
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installRequireHook } from './hook';

installRequireHook(__dirname);

type Register = (specifier: string, parentURL: string, options: { data: unknown }) => void;
const register = (nodeModule as unknown as { register?: Register }).register;
// An older Node has no import hooks: require() is still served, and
// `import 'pcap'` fails as it would without this file (engines says ^18.19 || >=20.6).
if (typeof register === 'function') {
  register(pathToFileURL(path.join(__dirname, 'esm-hook.js')).href, pathToFileURL(__filename).href,
    { data: { compatRoot: __dirname } });
}
