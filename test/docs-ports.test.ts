// The port table of docs/backends.md is tested against the one parser
// (lib/ports.ts): every name form it lists parses to the backend and the
// availability the table states, and every backend has a row.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AVAILABLE_BACKENDS, parsePortName } from '../index';

const doc = readFileSync(path.join(__dirname, '..', 'docs', 'backends.md'), 'utf8');
const table = doc.slice(doc.indexOf('| name | backend |'));
const rows = table.split('\n').slice(2).filter((l) => l.startsWith('|'))
  .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

/** The table's placeholders, made concrete. `lo` exists, so `IF-N` reads as a queue. */
function concrete(form: string): string {
  return form.replace(/\bIF\b/g, 'lo').replace(/\bNAME\b/g, 'demo').replace(/\bPORT\b/g, 'p1')
    .replace(/^valeX:/, 'vale0:').replace(/-N$/, '-1').replace(/-Q$/, '-2').replace(/([{}])N$/, '$10');
}

t.test('every form in the table parses as the table says', async (t) => {
  t.ok(rows.length >= 8, `${rows.length} rows`);
  for (const [names, backend, , status] of rows) {
    const forms = [...names.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    t.ok(forms.length > 0, `row ${names} lists names`);
    for (const form of forms) {
      const p = parsePortName(concrete(form), { interfaceExists: (n) => n === 'lo' });
      t.equal(`\`${p.backend}\``, backend, `${form} -> ${backend}`);
      t.equal(p.available, status === 'available', `${form}: ${status}`);
    }
  }
});

t.test('every backend has a row', async (t) => {
  const listed = new Set(rows.map((r) => r[1].replace(/`/g, '')));
  for (const b of AVAILABLE_BACKENDS) t.ok(listed.has(b), b);
});
