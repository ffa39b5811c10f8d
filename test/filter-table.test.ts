/**
 * Filters on offline sessions give libpcap's answers, exactly (issue 3).
 *
 * 1. The table: a seeded, varied Ethernet capture (fixtures/filter/traffic.ts)
 *    written by our Dumper as pcap (µs) and pcapng (ns); for every expression
 *    of fixtures/filter/expressions.ts the number of packets our offline
 *    session delivers equals `tcpdump -r FILE --count EXPR`. Expressions
 *    libpcap rejects throw a PcapError with code EFILTER, and tcpdump rejects
 *    them too. For some rows the packets themselves are compared with what
 *    `tcpdump -r FILE -w - EXPR` writes: bytes, caplen, len, timestamps.
 * 2. The corpus sweep: the tcpdump project's test captures (many link
 *    types), a few expressions each. Where tcpdump counts, we count the same;
 *    where it rejects the expression for that link type, we throw EFILTER;
 *    where libpcap cannot read the file at all, we throw a PcapError.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { openOffline, PcapError } from '../index';
import { EXPRESSIONS, INVALID } from './fixtures/filter/expressions';
import { makeTraffic, writeTraffic } from './fixtures/filter/traffic';
import { have } from './fixtures/savefile/util';

const corpusDir = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');
const SWEEP = ['ip', 'tcp', 'udp port 53', 'ip6', 'vlan', 'arp', 'greater 100'];
/** tcpdump children and our reads in flight at once (these machines have 2 cores). */
const POOL = 4;

/**
 * Corpus rows where we differ from tcpdump for a reason that is not a bug
 * in the filter path: `file|expr`. Empty: every row is compared strictly.
 */
const KNOWN_DIFFERENCES = new Map<string, string>();

const dir = mkdtempSync(path.join(tmpdir(), 'nmp-filter-table-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// --- running both sides -------------------------------------------------------

/** A count, or the error that stopped it (and how many packets came before it, if known). */
type Outcome = { count: number } | { error: string; code?: string; pcapError: boolean; delivered?: number };

const show = (o: Outcome): string => 'count' in o ? String(o.count)
  : `${o.pcapError ? `PcapError ${o.code}` : 'Error'}: ${o.error}${o.delivered === undefined ? '' : ` (after ${o.delivered} packets)`}`;

/** Our count: an offline session with the filter, packets counted in loop(). */
async function ours(file: string, expr: string | null): Promise<Outcome> {
  // The read buffer only needs to hold the largest record: the whole file
  // does (and allocating 17 MiB per open would dominate the sweep).
  const bufferSize = Math.max(1 << 20, Math.ceil((statSync(file).size + 4096) / 65536) * 65536);
  let session;
  let n = 0;
  try {
    session = await openOffline(file, { bufferSize, ...(expr === null ? {} : { filter: expr }) });
    const resolved = await session.loop(0, () => { n++; });
    if (typeof resolved === 'number' && resolved !== n) {
      return { error: `loop() resolved with ${resolved} after ${n} callbacks`, pcapError: false };
    }
    return { count: n };
  } catch (e) {
    const err = e as Error;
    return { error: err.message, code: (err as PcapError).code, pcapError: err instanceof PcapError,
      ...(session ? { delivered: n } : {}) };
  } finally {
    session?.close();
  }
}

interface Run { status: number | null; stdout: Buffer; stderr: string }

function run(cmd: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
  });
}

/** tcpdump's count from what `tcpdump --count` printed, or its complaint. */
function parseCount(status: number | null, output: string): Outcome {
  const m = /^(\d+) packets?$/m.exec(output);
  if (status === 0 && m) return { count: Number(m[1]) };
  // A read error after some packets: tcpdump still prints its count.
  const lines = output.split('\n').filter((l) => l && !l.startsWith('reading from file') && !/^\d+ packets?$/.test(l));
  return { error: lines.join('; ') || `exit ${status}`, pcapError: false, ...(m ? { delivered: Number(m[1]) } : {}) };
}

/** tcpdump's count (`tcpdump -r FILE --count EXPR`), or its complaint. */
async function theirs(file: string, expr: string | null): Promise<Outcome> {
  const r = await run('tcpdump', ['-r', file, '--count', ...(expr === null ? [] : [expr])]);
  return parseCount(r.status, `${r.stdout.toString()}\n${r.stderr}`);
}

/**
 * tcpdump's counts for many (file, expression) pairs, from `shells` shell
 * loops (one node spawn each, not one per pair: forking node thousands of
 * times would cost more than tcpdump does).
 */
async function theirsMany(pairs: { file: string; expr: string }[], shells: number): Promise<Outcome[]> {
  const script = [
    'tab=$(printf \'\\t\')',
    'while IFS="$tab" read -r f e; do',
    '  tcpdump -r "$f" --count "$e" </dev/null 2>&1',
    '  echo "@@ $?"',
    'done',
  ].join('\n');
  const results: Outcome[] = new Array(pairs.length);
  await Promise.all(Array.from({ length: shells }, async (_, k) => {
    const mine = pairs.map((_p, i) => i).filter((i) => i % shells === k);
    const input = mine.map((i) => `${pairs[i].file}\t${pairs[i].expr}\n`).join('');
    const r = await run('sh', ['-c', script], input);
    const blocks = r.stdout.toString().split(/^@@ (\d+)\n/m);
    // [output, status, output, status, …, trailing '']
    if (blocks.length !== mine.length * 2 + 1) {
      throw new Error(`tcpdump loop ${k}: ${(blocks.length - 1) / 2} results for ${mine.length} pairs; ${r.stderr}`);
    }
    mine.forEach((i, j) => { results[i] = parseCount(Number(blocks[j * 2 + 1]), blocks[j * 2]); });
  }));
  return results;
}

/** Run `jobs` with at most `width` in flight, results in order. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

interface Got { data: Buffer; caplen: number; len: number; tsSec: number; tsNsec: number }

async function readPackets(file: string, expr?: string): Promise<Got[]> {
  const s = await openOffline(file, expr === undefined ? {} : { filter: expr });
  const got: Got[] = [];
  try {
    await s.loop(0, (data, h) => {
      got.push({ data: Buffer.from(data), caplen: h.caplen, len: h.len, tsSec: h.tsSec, tsNsec: h.tsNsec });
    });
  } finally {
    s.close();
  }
  return got;
}

/**
 * Do our outcome `a` and tcpdump's `b` agree? `plain` is tcpdump reading
 * the file without a filter, asked only when `b` is an error.
 * - tcpdump counts: we count the same.
 * - tcpdump reads the file but not with this filter: the expression is
 *   rejected (for this link type), so we throw EFILTER.
 * - libpcap cannot read the file: we throw a PcapError too, after as many
 *   packets as tcpdump counted before its error (none if it printed none).
 */
function agree(a: Outcome, b: Outcome, plain?: Outcome): boolean {
  if ('count' in b) return 'count' in a && a.count === b.count;
  if ('count' in a || !a.pcapError) return false;
  if (plain && 'count' in plain) return a.code === 'EFILTER';
  // An error at open (no count) delivers no packets, as does one before
  // the first packet: libpcap finds some errors in pcap_open_offline and
  // some in pcap_loop, we find them while reading up to the first packet.
  return (a.delivered ?? 0) === (b.delivered ?? 0);
}

// --- 1. the table ------------------------------------------------------------

const tcpdump = have('tcpdump');
const packets = makeTraffic(3000, 0x5eed);
const files = [
  { name: 'pcap (µs)', file: path.join(dir, 'traffic.pcap'), format: 'pcap' as const, nanosecond: false },
  { name: 'pcapng (ns)', file: path.join(dir, 'traffic.pcapng'), format: 'pcapng' as const, nanosecond: true },
];

t.test('the generated capture', async (t) => {
  t.ok(EXPRESSIONS.length >= 40, `${EXPRESSIONS.length} expressions`);
  t.equal(new Set(EXPRESSIONS.map((r) => r.expr)).size, EXPRESSIONS.length, 'no expression twice');
  const again = makeTraffic(3000, 0x5eed);
  t.ok(again.every((p, i) => p.data.equals(packets[i].data) && p.len === packets[i].len && p.tsNsec === packets[i].tsNsec),
    'the same seed makes the same packets');
  for (const f of files) await writeTraffic(f.file, packets, f.format, f.nanosecond);
  for (const f of files) {
    const back = await readPackets(f.file);
    t.equal(back.length, packets.length, `${f.name}: every packet reads back`);
    t.equal(back.filter((p) => p.caplen < p.len).length, packets.filter((p) => p.data.length < p.len).length,
      `${f.name}: the truncated packets stay truncated`);
  }
});

for (const f of files) {
  t.test(`filter table, ${f.name}: our counts equal tcpdump -r --count`, { skip: !tcpdump && 'tcpdump not installed' }, async (t) => {
    const rows = await pool(EXPRESSIONS.map((row) => async () => {
      const [a, b] = await Promise.all([ours(f.file, row.expr), theirs(f.file, row.expr)]);
      return { row, ours: a, theirs: b };
    }), POOL);
    const differ: string[] = [];
    for (const r of rows) {
      if ('count' in r.ours && 'count' in r.theirs && r.ours.count === r.theirs.count) {
        t.comment(`${String(r.ours.count).padStart(5)}  ${r.row.expr}`);
      } else {
        differ.push(`${r.row.expr}: ours ${show(r.ours)}, tcpdump ${show(r.theirs)}`);
      }
    }
    const equal = rows.length - differ.length;
    // Rows that match nothing (or everything) test little: most must not.
    const informative = rows.filter((r) => 'count' in r.ours && r.ours.count > 0 && r.ours.count < packets.length).length;
    t.ok(informative >= rows.length - 4, `${informative} of ${rows.length} rows match some but not all packets`);
    t.equal(equal, rows.length, `${f.name}: rows equal ${equal}/${rows.length}` +
      (differ.length ? `; differing:\n  ${differ.join('\n  ')}` : ''));
  });

  t.test(`invalid expressions, ${f.name}: EFILTER here, rejected by tcpdump`, { skip: !tcpdump && 'tcpdump not installed' }, async (t) => {
    for (const row of INVALID) {
      const [a, b] = await Promise.all([ours(f.file, row.expr), theirs(f.file, row.expr)]);
      t.ok(!('count' in b), `tcpdump rejects ${JSON.stringify(row.expr)} (${row.what}): ${show(b)}`);
      t.ok(!('count' in a) && a.pcapError && a.code === 'EFILTER',
        `we reject ${JSON.stringify(row.expr)} with EFILTER: ${show(a)}`);
      // setFilter on an open session says the same and keeps the session usable.
      const s = await openOffline(f.file);
      try {
        t.throws(() => s.setFilter(row.expr), { code: 'EFILTER' }, `setFilter(${JSON.stringify(row.expr)}) throws EFILTER`);
      } finally {
        s.close();
      }
    }
  });
}

/** Rows whose packets are compared byte for byte with tcpdump -w's. */
const BYTE_ROWS = ['tcp port 80', 'vlan and ip', 'ip[6:2] & 0x1fff != 0', 'less 64', 'ip6 protochain 58',
  'not ip and not ip6', 'tcp[tcpflags] & (tcp-fin|tcp-rst) != 0', 'greater 100'];

t.test('same packets as tcpdump -r FILE -w - EXPR', { skip: !tcpdump && 'tcpdump not installed' }, async (t) => {
  for (const f of files) {
    for (const expr of BYTE_ROWS) {
      const r = await run('tcpdump', ['-r', f.file, ...(f.nanosecond ? ['--time-stamp-precision=nano'] : []), '-w', '-', expr]);
      t.equal(r.status, 0, `tcpdump -w for ${expr}: ${r.stderr.trim()}`);
      const out = path.join(dir, 'tcpdump-out.pcap');
      writeFileSync(out, r.stdout);
      const want = await readPackets(out);
      const got = await readPackets(f.file, expr);
      t.ok(want.length > 0, `${f.name}, ${expr}: tcpdump wrote ${want.length} packets`);
      const bad = got.length !== want.length ? Math.min(got.length, want.length)
        : got.findIndex((g, i) => !g.data.equals(want[i].data) || g.caplen !== want[i].caplen ||
          g.len !== want[i].len || g.tsSec !== want[i].tsSec || g.tsNsec !== want[i].tsNsec);
      t.equal(bad, -1, `${f.name}, ${expr}: ${got.length} packets, byte-identical to tcpdump's ${want.length}` +
        (bad >= 0 ? ` (first difference at packet ${bad})` : ''));
    }
  }
});

/** Broken copies of the generated files: libpcap cannot read them to the end. */
function brokenFiles(): { name: string; bytes: Buffer }[] {
  const pcap = readFileSync(files[0].file);
  const ng = readFileSync(files[1].file);
  const badMagic = Buffer.from(pcap);
  badMagic.writeUInt32LE(0x12345678, 0);
  // The third pcapng block's length (the first EPB after SHB and IDB) made
  // not a multiple of 4.
  const badBlock = Buffer.from(ng);
  const shbLen = ng.readUInt32LE(4);
  const idbLen = ng.readUInt32LE(shbLen + 4);
  badBlock.writeUInt32LE(ng.readUInt32LE(shbLen + idbLen + 4) + 1, shbLen + idbLen + 4);
  return [
    { name: 'empty.pcap', bytes: Buffer.alloc(0) },
    { name: 'header-cut.pcap', bytes: pcap.subarray(0, 10) },
    { name: 'bad-magic.pcap', bytes: badMagic },
    { name: 'first-record-cut.pcap', bytes: pcap.subarray(0, 24 + 16 + 5) },
    { name: 'cut-at-100000.pcap', bytes: pcap.subarray(0, 100000) },
    { name: 'cut-at-400001.pcap', bytes: pcap.subarray(0, 400001) },
    { name: 'shb-cut.pcapng', bytes: ng.subarray(0, 20) },
    { name: 'cut-at-100000.pcapng', bytes: ng.subarray(0, 100000) },
    { name: 'cut-at-400001.pcapng', bytes: ng.subarray(0, 400001) },
    { name: 'bad-block-length.pcapng', bytes: badBlock },
  ];
}

t.test('files libpcap cannot read: a PcapError here, after as many packets', { skip: !tcpdump && 'tcpdump not installed' }, async (t) => {
  for (const { name, bytes } of brokenFiles()) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const plain = await theirs(file, null);
    t.notOk('count' in plain, `${name}: tcpdump cannot read it: ${show(plain)}`);
    for (const expr of [null, 'ip', 'tcp port 80', 'vlan and vlan', 'tcp port']) {
      const [a, b] = await Promise.all([ours(file, expr), theirs(file, expr)]);
      t.ok(agree(a, b, plain), `${name} | ${expr ?? '(no filter)'}: ours ${show(a)}; tcpdump ${show(b)}`);
    }
  }
});

// --- 2. the corpus sweep -------------------------------------------------

if (!existsSync(corpusDir)) {
  if (process.env.CI === 'true') t.fail(`corpus not found at ${corpusDir}`);
  else t.comment(`corpus not found at ${corpusDir}: sweep skipped`);
} else {
  t.test('corpus sweep: counts, EFILTER and unreadable files as libpcap', { skip: !tcpdump && 'tcpdump not installed' }, async (t) => {
    const names = readdirSync(corpusDir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();
    t.ok(names.length >= 800, `${names.length} captures`);
    const started = Date.now();

    // Every file with every expression, on both sides at once: tcpdump in
    // shell loops, ours in this process.
    const pairs = names.flatMap((name) => SWEEP.map((expr) => ({ name, file: path.join(corpusDir, name), expr })));
    const [theirCounts, ourCounts] = await Promise.all([
      theirsMany(pairs, 2),
      pool(pairs.map((p) => () => ours(p.file, p.expr)), 2),
    ]);
    // Where tcpdump failed: can libpcap read the file at all (no filter)?
    const failing = [...new Set(pairs.filter((_p, i) => !('count' in theirCounts[i])).map((p) => p.name))];
    const readable = new Map<string, { ours: Outcome; theirs: Outcome }>();
    for (const name of failing) {
      const file = path.join(corpusDir, name);
      readable.set(name, { ours: await ours(file, null), theirs: await theirs(file, null) });
    }

    let equal = 0;
    let counted = 0;
    let rejected = 0;
    let unreadablePairs = 0;
    const differ: string[] = [];
    const known: string[] = [];
    const unreadable = new Set<string>();
    pairs.forEach((p, i) => {
      const a = ourCounts[i];
      const b = theirCounts[i];
      const plain = 'count' in b ? undefined : readable.get(p.name)!;
      let same = agree(a, b, plain?.theirs);
      let note = '';
      if (!plain) {
        counted++;
      } else if ('count' in plain.theirs) {
        rejected++; // for the file's link type
      } else {
        // Unreadable by libpcap: unfiltered, we fail with a PcapError too.
        unreadablePairs++;
        unreadable.add(p.name);
        same &&= agree(plain.ours, plain.theirs);
        note = ` (unfiltered: ours ${show(plain.ours)}, tcpdump ${show(plain.theirs)})`;
      }
      const line = `${p.name} | ${p.expr}: ours ${show(a)}, tcpdump ${show(b)}${note}`;
      const why = KNOWN_DIFFERENCES.get(`${p.name}|${p.expr}`);
      if (same) equal++;
      else if (why !== undefined) known.push(`${line} (${why})`);
      else differ.push(line);
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    t.comment(`${names.length} files (${unreadable.size} unreadable by libpcap), ${pairs.length} file×expression pairs: ` +
      `${counted} counted, ${rejected} rejected by libpcap for the link type, ${unreadablePairs} on unreadable files; ${equal} equal, ` +
      `${known.length} known differences, ${differ.length} differing; ${seconds} s`);
    for (const k of known) t.comment(`known difference: ${k}`);
    t.ok(counted > names.length * SWEEP.length / 2, `${counted} pairs counted by both`);
    t.equal(differ.length, 0, `corpus: ${equal}/${pairs.length} pairs equal` +
      (differ.length ? `; differing (${differ.length}):\n  ${differ.slice(0, 60).join('\n  ')}` : ''));
    // Every known difference must still occur, or it is stale.
    t.equal(known.length, KNOWN_DIFFERENCES.size, 'every known difference still occurs');
  });
}
