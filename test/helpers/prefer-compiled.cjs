/**
 * A require hook for tests and their child processes: a module of this
 * repository is loaded from its compiled dist/ copy when that copy is at
 * least as new as its .ts source, and from the source (through ts-node)
 * otherwise.
 *
 * Why: every fixture child and every tap test file imports the library,
 * and ts-node transpiles its ~100 files again in each process, about 2 s
 * of CPU per process (hundreds of processes in `npm test`). `npm run
 * build` has already compiled the same sources into dist/.
 *
 * Never stale: the choice is made per module by modification time, and a
 * module resolves to one file only, so a source edited since the build is
 * used (with everything that requires it) instead of its old dist copy.
 * Only the shipped sources (index.ts, lib/, compat/, bin/, bench/,
 * examples/) are redirected, and their code already runs from dist/ in a
 * package; test files and fixtures keep running from source, with their
 * own __dirname.
 *
 * Plain CommonJS so that it loads before any TypeScript hook.
 * NMP_TEST_FROM_SOURCE=1 turns it off.
 */
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist') + path.sep;

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** dist/X.js for the source X.ts, null if there is none or it is older. */
function compiledOf(source) {
  const js = path.join(dist, path.relative(root, source)).replace(/\.ts$/, '.js');
  const t = mtime(js);
  return t >= 0 && t >= mtime(source) ? js : null;
}

/** The source X.ts for dist/X.js, if that source is newer than the build. */
function newerSourceOf(js) {
  const source = path.join(root, path.relative(dist, js)).replace(/\.js$/, '.ts');
  const t = mtime(source);
  return t >= 0 && t > mtime(js) ? source : null;
}

/** The library's own sources (what dist/ holds and what ships): not test/. */
const SHIPPED = ['index.ts', 'lib', 'compat', 'bin', 'bench', 'examples'];
function isShipped(file) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || rel.includes(`node_modules${path.sep}`)) return false;
  const top = rel.split(path.sep)[0];
  return SHIPPED.includes(top);
}

if (process.env.NMP_TEST_FROM_SOURCE !== '1' && fs.existsSync(dist)) {
  const resolve = Module._resolveFilename;
  const chosen = new Map();
  Module._resolveFilename = function (request, parent, isMain, options) {
    const file = resolve.call(this, request, parent, isMain, options);
    if (typeof file !== 'string') return file;
    let to = chosen.get(file);
    if (to === undefined) {
      if (file.startsWith(dist) && file.endsWith('.js') && isShipped(path.join(root, path.relative(dist, file)))) {
        to = newerSourceOf(file) ?? file;
      } else if (file.endsWith('.ts') && !file.endsWith('.d.ts') && isShipped(file)) {
        to = compiledOf(file) ?? file;
      } else {
        to = file;
      }
      chosen.set(file, to);
    }
    return to;
  };
}
