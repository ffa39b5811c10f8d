/**
 * `npm run bench`: netmap-pcap against tcpdump and the npm `pcap` module,
 * capturing and injecting raw Ethernet frames on a veth pair that lives in
 * a network namespace of its own. Writes bench/RESULTS.md and prints the
 * same tables.
 *
 * Then the pipe table (bench/pipe.ts): a pipe: port JS -> JS between two
 * processes, fast and convenient API, against the C reference of the same
 * ring. Then the offline table (bench/offline.ts): savefiles read and
 * filtered by netmap-pcap, tcpdump -r and pcap-parser. BENCH_ONLY=pipe or
 * BENCH_ONLY=offline runs only that part (no root needed),
 * BENCH_ONLY=network only the capture, injection and fanout tables,
 * BENCH_ONLY=capture only the capture tables (the drop-ins' included) and
 * BENCH_ONLY=inject only the injection table, each printed, not written,
 * BENCH_ONLY=fanout only 1 against 2 fanout workers (bench/fanout.ts),
 * BENCH_ONLY=xdp only the AF_XDP table (bench/xdp.ts: xdp: against plain
 * on the same veth). Then
 * the decode tables: bench/decode.ts (decodePacket against npm pcap's
 * decode.packet on the same packets; BENCH_ONLY=decode) and
 * bench/decode-pcap.ts (compat/pcap's decode.packet against npm pcap's;
 * BENCH_ONLY=pcapcompat); neither needs root. Each BENCH_ONLY rewrites just
 * its own part of RESULTS.md and keeps the others. BENCH_ONLY=nmsend runs
 * the nmsend table (bench/nmsend.ts: nmsend --topspeed against tcpreplay
 * --topspeed; root). BENCH_ONLY=flows runs the flows part (bench/flows.ts:
 * TCP reassembly and IP defragmentation against tshark and npm pcap's
 * TCPTracker, the FanOut distributor at 1 and 2 workers; no root).
 *
 * Knobs (environment): BENCH_COUNT frames per capture run (2000000),
 * BENCH_INJECT_COUNT frames per injection run (1000000), BENCH_REPS
 * repetitions, median reported (3), BENCH_SIZES capture frame sizes
 * ("60,1514,imix": imix = gen's IMIX of IPv4/UDP frames), BENCH_BUFFER_KIB capture buffer for every consumer (8192),
 * BENCH_OFFLINE_MB size of each offline capture in MiB (1024),
 * BENCH_OFFLINE_FILTER the offline filter ("udp and dst port 53"),
 * BENCH_PIPE_COUNT frames per pipe run (10000000), BENCH_DECODE_MS
 * milliseconds per decode measurement (1000), BENCH_NMSEND_COUNT frames in
 * the nmsend replay file (1000000); BENCH_FLOWS_MB, BENCH_FLOWS_CONNS,
 * BENCH_FRAG_MB, BENCH_FANOUT_COUNT for the flows part (see bench/flows.ts).
 *
 * Network rules: every frame stays inside the namespace (both veth ends
 * are in it), the namespace is removed on every way out (normal end,
 * error, SIGINT/SIGTERM), and every sender is bounded in frames and time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeChart } from './chart';
import { join } from 'node:path';
import { captureOnce, consumers, framesTitle, GEN_CPU, NAPI_CPU, runGen, RX_CPU } from './capture';
import type { ConsumerSpec, Frames } from './capture';
import { dropInSpecs, PeerInstall } from './dropins';
import { killAll } from './child';
import { buildGen, buildPipeRef, buildPipeSpsc, describeMachine, loadNow, Netns, OUT, requireRoot, ROOT } from './env';
import { injectOnce, senders } from './inject';
import { nmsendSection } from './nmsend';
import { decodeSection } from './decode';
import { decodeRows, decodeTable, DECODE_METHOD } from './decode-pcap';
import { DEFAULT_FILTER, offlineSection } from './offline';
import { CAP_VERSION, ensureCap, ensurePcap, PCAP_VERSION } from './peers';
import { fanoutSection } from './fanout';
import { pipeSection } from './pipe';
import type { CaptureRun } from './capture';
import type { Machine } from './env';
import type { InjectRun } from './inject';
import { attempt as attemptRun, captureTable, dropInTable, injectTable, machineText, median, Row } from './report';
import { xdpSection } from './xdp';
import { flowsSection } from './flows';
import { fanoutFlowsSection } from './flows-fanout';
import { ensureTcpCapture } from './flows-gen';

const env = (name: string, dflt: number): number => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
  return v;
};
const COUNT = env('BENCH_COUNT', 2_000_000);
const INJECT_COUNT = env('BENCH_INJECT_COUNT', 1_000_000);
const REPS = env('BENCH_REPS', 3);
const BUFFER = env('BENCH_BUFFER_KIB', 8192) * 1024;
/** The capture tables' frames: N-byte raw frames, or imix (IPv4/UDP). */
const FRAME_SETS: Frames[] = (process.env.BENCH_SIZES ?? '60,1514,imix').split(',').map((v) => {
  if (v === 'imix') return { size: 'imix', udp: true };
  const size = Number(v);
  if (!Number.isInteger(size) || size < 60 || size > 1514) throw new Error('BENCH_SIZES: sizes 60..1514 or imix');
  return { size };
});
/** The fixed sizes (the xdp part's). */
const SIZES = FRAME_SETS.flatMap((f) => (typeof f.size === 'number' ? [f.size] : []));
/** The drop-in table's frames: what its decoding rows need. */
const DROPIN_FRAMES: Frames = { size: 60, udp: true };
const OFFLINE_MB = env('BENCH_OFFLINE_MB', 1024);
const OFFLINE_FILTER = process.env.BENCH_OFFLINE_FILTER ?? DEFAULT_FILTER;
const PIPE_COUNT = env('BENCH_PIPE_COUNT', 10_000_000);
const DECODE_MS = env('BENCH_DECODE_MS', 1000);
const NMSEND_COUNT = env('BENCH_NMSEND_COUNT', 1_000_000);
const FLOWS_MB = env('BENCH_FLOWS_MB', 128);
const FLOWS_CONNS = env('BENCH_FLOWS_CONNS', 64);
const FRAG_MB = env('BENCH_FRAG_MB', 256);
const FANOUT_COUNT = env('BENCH_FANOUT_COUNT', 300_000);
const ONLY = process.env.BENCH_ONLY ?? '';
const PART_NAMES = ['offline', 'network', 'pipe', 'fanout', 'xdp', 'nmsend', 'decode', 'pcapcompat', 'flows'];
if (ONLY !== '' && ONLY !== 'inject' && ONLY !== 'capture' && !PART_NAMES.includes(ONLY)) {
  throw new Error(`BENCH_ONLY must be one of ${PART_NAMES.join(', ')}, capture, inject`);
}
/** Upper bound on any one sender's run, whatever COUNT says. */
const SEND_SECONDS = 10;

const ns = new Netns();
const cleanup = (): void => { killAll(); ns.down(); };
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(sig, () => { process.stderr.write(`\n${sig}: cleaning up\n`); cleanup(); process.exit(code); });
}
process.on('exit', cleanup);

const log = (s: string): void => { process.stderr.write(`${s}\n`); };

/** report.ts's attempt(), logging to stderr. */
const attempt = <R>(row: Row<R>, what: string, run: () => Promise<R>, describe: (r: R) => string): Promise<void> =>
  attemptRun(row, what, run, describe, log);

/**
 * Every spec over REPS repetitions on `frames`, one row each. Repetitions
 * interleaved, so a slow drift of the machine hits everyone.
 */
async function measureCapture(specs: ConsumerSpec[], frames: Frames, label: string): Promise<Array<Row<CaptureRun>>> {
  const rows: Array<Row<CaptureRun>> = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= REPS; rep++) {
    for (const [i, spec] of specs.entries()) {
      const what = `capture ${label} rep ${rep}: ${spec.name}`;
      await attempt(rows[i], what, () => captureOnce(ns, spec, COUNT, frames, BUFFER), (r) =>
        `captured ${r.captured}/${r.sent} drop ${r.drop} arrived ${r.arrived} ` +
        `${r.cpuNsPerPkt.toFixed(1)} ns/pkt (gen ${(r.genPps / 1e6).toFixed(2)} Mpps)`);
    }
  }
  return rows;
}

async function captureTables(pcap: PeerInstall, cap: PeerInstall): Promise<string[]> {
  const out: string[] = [];
  for (const frames of FRAME_SETS) {
    const rows = await measureCapture(consumers('dir' in pcap ? pcap.dir : null), frames, String(frames.size));
    if ('error' in pcap) rows.push({ name: `npm pcap ${PCAP_VERSION}`, runs: [], failures: [], missing: pcap.error });
    out.push(`### Capture, ${framesTitle(frames)}, ${COUNT.toLocaleString('en-US')} per run\n\n${captureTable(rows)}`);
    out.push(captureNotes(rows));
  }
  out.push(await dropInTableText(pcap, cap));
  return out;
}

/** The same npm-pcap and cap programs on the peers and on the drop-ins. */
async function dropInTableText(pcap: PeerInstall, cap: PeerInstall): Promise<string> {
  const specs = dropInSpecs(pcap, cap);
  const measured = specs.flatMap((p) => [...(p.peer.spec ? [p.peer.spec] : []), p.dropIn.spec]);
  const rows = await measureCapture(measured, DROPIN_FRAMES, 'drop-ins');
  const rowOf = (name: string, missing?: string): Row<CaptureRun> =>
    rows.find((r) => r.name === name) ?? { name, runs: [], failures: [], missing };
  const pairs = specs.map((p) => ({ peer: rowOf(p.peer.name, p.peer.missing), dropIn: rowOf(p.dropIn.name), target: p.target }));
  return `### Drop-ins, ${framesTitle(DROPIN_FRAMES)}, ${COUNT.toLocaleString('en-US')} per run: the same ` +
    `program on npm pcap ${PCAP_VERSION} and netmap-pcap/pcap, on cap ${CAP_VERSION} and netmap-pcap/cap` +
    `\n\n${dropInTable(pairs)}\n\n${captureNotes(rows)}`;
}

/** Drop rates, computed, so the notes always match the table. */
function captureNotes(rows: Array<Row<CaptureRun>>): string {
  const lines = rows.filter((r) => r.runs.length > 0).map((r) => {
    const lost = median(r.runs.map((x) => x.arrived - x.captured));
    const pct = median(r.runs.map((x) => (100 * x.captured) / x.arrived));
    return `- ${r.name}: captured ${pct.toFixed(1)} % of the frames that arrived (median ${Math.round(lost)} missing)`;
  });
  return lines.join('\n');
}

async function injectTableText(pcap: { dir?: string; error?: string }): Promise<string> {
  const specs = senders(pcap.dir ?? null);
  const rows: Array<Row<InjectRun>> = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= REPS; rep++) {
    for (const [i, spec] of specs.entries()) {
      await attempt(rows[i], `inject rep ${rep}: ${spec.name}`, () => injectOnce(ns, spec, INJECT_COUNT, 60, SEND_SECONDS),
        (r) => `sent ${r.sent} arrived ${r.arrived} ${(r.pps / 1e6).toFixed(3)} Mpps ` +
          `${r.cpuNsPerPkt.toFixed(1)} ns/pkt retries ${r.retries}`);
    }
  }
  if (pcap.error) rows.push({ name: `npm pcap ${PCAP_VERSION} inject`, runs: [], failures: [], missing: pcap.error });
  return `### Injection, 60-byte frames, ${INJECT_COUNT.toLocaleString('en-US')} per run (cap ${SEND_SECONDS} s)\n\n${injectTable(rows, INJECT_COUNT, SEND_SECONDS)}`;
}

const METHOD = `\
- A network namespace made for the run (bench/netns.sh) holds both ends of a
  veth pair, nmp0 <-> nmp1; it is deleted afterwards. Raw Ethernet frames
  (ethertype 0x88b5), or where a table says so IPv4/UDP frames
  198.18.0.1:1024 -> 198.19.0.1:9 (\`gen -p udp\`; 198.18.0.0/15 is the
  benchmarking block, and the frames never leave the namespace). IMIX:
  \`gen -s imix\`, 60, 590 and 1514-byte frames in 7:4:1 (the offline
  part's 64/594/1518 with the FCS), in a fixed interleaved cycle of 12.
  nmp0 has TSO off; nmp1 has GRO on and threaded
  NAPI, so veth's receive work (including the copy of each frame into every
  packet socket's ring) runs in a kernel thread, charged to no consumer.
- Placement on the 2 cores: senders (bench/out/gen, JS senders) on CPU 0;
  the capture consumer and nmp1's NAPI thread on CPU 1.
- Capture: one consumer at a time on nmp1, started and waited for
  ("ready"). A warm-up burst (a tenth of COUNT, at least 10,000 frames)
  is captured first and not measured, so the figures are the steady
  state: JIT-compiled code, touched rings. Then the consumer's clock and
  count restart ("mark"; tcpdump: its CPU is read from outside and the
  warm-up frames are taken off its exit total), \`gen -m txring\` sends
  COUNT frames at full speed from nmp0, and when nothing has moved for
  300 ms (and the consumer's batch timeout has passed: 100 ms for the node
  consumers, 1 s for tcpdump) the consumer is stopped. Every consumer has
  a ${BUFFER >> 10} KiB kernel ring and promiscuous mode. CPU ns/pkt = the
  consumer process's user+sys CPU from mark to stop (process.cpuUsage() in the node consumers, i.e.
  getrusage over all threads; for tcpdump, measured from outside, its
  threads' se.sum_exec_runtime from /proc/PID/task/*/sched, the
  ns-resolution source of /proc/PID/stat's utime+stime) / packets captured. Drops are each
  consumer's own kernel counter (PACKET_STATISTICS via stats(), or
  tcpdump's "dropped by kernel"). "arrived nmp1" is the rx_packets delta.
- Consumers: netmap-pcap 'packet' event (a Buffer view per packet, reused
  header), netmap-pcap rxRing() walk (typed-array reads, no allocation,
  one sync() per batch), \`tcpdump -i nmp1 -w /dev/null -B KiB\` (Debian
  tcpdump, libpcap TPACKET_V3), npm pcap ${PCAP_VERSION} 'packet' event
  (bench/consumers/pcap-program.ts, bare), installed only into
  bench/out/peers. Each handler counts and reads one byte of the packet.
- The drop-ins: one program written for npm pcap
  (bench/consumers/pcap-program.ts: \`createSession\`, a 'packet' listener)
  and one written for cap (bench/consumers/cap-program.ts: \`new Cap()\`,
  \`open(device, '', bufSize, buffer)\`, 'packet'(nbytes, truncated) reading
  the caller's buffer), each run unchanged on the peer module (npm pcap
  ${PCAP_VERSION}, cap ${CAP_VERSION}, both built by npm into bench/out/peers) and on
  netmap-pcap/pcap, netmap-pcap/cap: only the module it loads differs.
  Bare: count and read one byte; decoding: npm pcap's
  \`decode.packet(raw)\`, or cap's \`decoders.Ethernet\`, \`IPV4\`, then
  \`UDP\` (or \`TCP\`), reading the destination port. IPv4/UDP frames. cap
  has no statistics call: its rows have no kernel drop count, and lost
  packets show as captured < arrived.
- Injection: one sender at a time on nmp0, nothing capturing on nmp1.
  Rate and CPU are the sender's own (getrusage over its send loop);
  "arrived nmp1" is the rx_packets delta. The JS senders cycle through
  1024 prebuilt frames.
- Every number is the median of ${REPS} runs (each column separately).`;

const NOTES = `\
- veth is not a NIC: its receive side is a kernel thread (threaded NAPI)
  that shares CPU 1 with the consumer. gen's rate in each capture run
  ("gen … Mpps") therefore depends on how much CPU the consumer leaves it;
  the offered load is the same COUNT, not the same rate. Drops show when a
  consumer cannot keep up with what that thread delivers.
- The kernel's copy of each frame into the consumer's ring happens in that
  thread and is charged to no consumer: CPU ns/pkt is what the consumer
  itself spends to read packets out of its ring.
- On 2 vCPUs, any other load on the machine (see the load averages above)
  moves these numbers by tens of percent between runs; compare rows of one
  run, and rerun on a quiet machine before quoting absolute values.
- npm pcap 3.1.0 keeps the process alive after session.close() (its poll
  handle stays open); the bench's npm pcap sender exits explicitly.
- cap ${CAP_VERSION} opens libpcap in immediate mode, so libpcap uses a
  TPACKET_V2 ring (seen with strace: one fixed-size slot per packet; with
  offloads on the device, nmp1's GRO, libpcap sizes the slots by cap's fixed
  65535-byte snaplen, which leaves few of them) and wakes the program every
  few packets; netmap-pcap/cap opens in immediate mode too (1 ms block
  retire). cap cannot report kernel drops: what it loses shows as
  captured < arrived.`;

/**
 * RESULTS.md's xdp, pipe and offline parts sit between these markers, so each
 * part can be rerun alone: the network part is everything before them.
 */
const PARTS = {
  fanout: { begin: '<!-- fanout: written by bench/fanout.ts -->', end: '<!-- /fanout -->' },
  xdp: { begin: '<!-- xdp: written by bench/xdp.ts -->', end: '<!-- /xdp -->' },
  pipe: { begin: '<!-- pipe: written by bench/pipe.ts -->', end: '<!-- /pipe -->' },
  offline: { begin: '<!-- offline: written by bench/offline.ts -->', end: '<!-- /offline -->' },
  decode: { begin: '<!-- decode: written by bench/decode.ts -->', end: '<!-- /decode -->' },
  pcapcompat: { begin: '<!-- pcapcompat: written by bench/decode-pcap.ts -->', end: '<!-- /pcapcompat -->' },
  nmsend: { begin: '<!-- nmsend: written by bench/nmsend.ts -->', end: '<!-- /nmsend -->' },
  flows: { begin: '<!-- flows: written by bench/flows.ts -->', end: '<!-- /flows -->' },
} as const;
type Part = keyof typeof PARTS;
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const CHART = join(ROOT, 'bench', 'results.svg');

/** Redraw bench/results.svg from RESULTS.md; the note for the output. */
function chart(): string {
  return ` and its chart to bench/results.svg (${writeChart(RESULTS, CHART)} panels)`;
}

function readResults(): string {
  try { return readFileSync(RESULTS, 'utf8'); } catch { return ''; }
}

/** One marked part of a RESULTS.md text, markers included ('' if it has none). */
function partOf(text: string, part: Part): string {
  const { begin, end } = PARTS[part];
  const a = text.indexOf(begin);
  const b = text.indexOf(end, a);
  return a >= 0 && b > a ? text.slice(a, b + end.length) : '';
}

/**
 * RESULTS.md with one part (re)written and everything else kept: in place
 * if it was there, else before the parts that follow it (xdp, pipe,
 * offline), else at the end.
 */
function withPart(old: string, part: Part, text: string): string {
  const prev = partOf(old, part);
  if (prev) return old.replace(prev, () => text);
  const base = old || '# Benchmark results\n\nWritten by `npm run bench` (bench/run.ts); numbers from one machine, one run.\n';
  const order = Object.keys(PARTS) as Part[];
  const next = order.slice(order.indexOf(part) + 1).map((p) => partOf(base, p)).find(Boolean);
  return next ? base.replace(next, () => `${text}

${next}`) : `${base}
${text}
`;
}

/** The measured part between its markers, with the machine it ran on. */
function marked(part: Part, body: string, m: Machine): string {
  return `${PARTS[part].begin}
${body}

Measured ${m.date} at ${m.commit}; ${m.nproc} CPUs (${m.cpu}), ` +
    `Node ${m.node}; load average before: ${m.load}, after: ${loadNow()}.
${PARTS[part].end}`;
}

async function pipeText(): Promise<string> {
  try {
    execFileSync('sh', ['-c', 'command -v gcc'], { stdio: 'pipe' });
  } catch {
    process.stderr.write('the pipe bench needs `gcc` and libpcap\'s headers (Debian: apt-get install gcc libpcap-dev)\n');
    process.exit(1);
  }
  buildPipeRef();
  buildPipeSpsc();
  const m = describeMachine();
  return marked('pipe', await pipeSection({ count: PIPE_COUNT, reps: REPS }), m);
}

async function offlineText(): Promise<string> {
  try {
    execFileSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'pipe' });
  } catch {
    process.stderr.write('the offline bench needs `tcpdump` (Debian: apt-get install tcpdump)\n');
    process.exit(1);
  }
  const m = describeMachine();
  return marked('offline', await offlineSection({ mib: OFFLINE_MB, reps: REPS, filter: OFFLINE_FILTER }), m);
}

function decodeText(): string {
  const m = describeMachine();
  const install = ensurePcap(join(OUT, 'peers'));
  const pcap = 'dir' in install ? { pcapDir: install.dir } : { pcapDir: null, pcapError: install.error };
  return marked('decode', decodeSection({ reps: REPS, ms: DECODE_MS, ...pcap }), m);
}

async function pcapCompatText(): Promise<string> {
  const m = describeMachine();
  const install = ensurePcap(join(OUT, 'peers'));
  const body = 'dir' in install
    ? `${decodeTable(await decodeRows(install.dir, REPS, DECODE_MS))}\n\n${DECODE_METHOD}`
    : `npm pcap ${PCAP_VERSION} unavailable: ${install.error}`;
  return marked('pcapcompat', `### compat/pcap: decode.packet against npm pcap ${PCAP_VERSION}\n\n${body}`, m);
}

async function flowsText(): Promise<string> {
  try {
    execFileSync('sh', ['-c', 'command -v tshark'], { stdio: 'pipe' });
  } catch {
    process.stderr.write('the flows bench needs `tshark` (Debian: apt-get install tshark)\n');
    process.exit(1);
  }
  const m = describeMachine();
  const install = ensurePcap(join(OUT, 'peers'));
  const pcap = 'dir' in install ? { pcapDir: install.dir } : { pcapDir: null, pcapError: install.error };
  const fanout = async (): Promise<string> =>
    fanoutFlowsSection((await ensureTcpCapture(FLOWS_MB, FLOWS_CONNS)).path, FANOUT_COUNT, REPS);
  return marked('flows', await flowsSection({ mib: FLOWS_MB, conns: FLOWS_CONNS, fragMib: FRAG_MB, reps: REPS, ...pcap, fanout }), m);
}

/** Set up the namespace: up, receive thread pinned, one discarded run. */
async function networkUp(): Promise<void> {
  ns.up();
  ns.pinReceiveThread(NAPI_CPU);
  // The first run after the namespace is made is consistently slow
  // (measured ~0.8 vs ~1.5 Mpps): one discarded warm-up.
  await runGen(ns, ['-i', 'nmp0', '-n', '500000', '-s', '60', '-m', 'txring', '-d', '5']);
  log(`gen on CPU ${GEN_CPU}, consumers on CPU ${RX_CPU}, nmp1's NAPI thread on CPU ${NAPI_CPU}`);
}

async function xdpText(m: Machine): Promise<string> {
  return marked('xdp', await xdpSection(ns, { count: COUNT, injectCount: INJECT_COUNT, reps: REPS,
    bufferBytes: BUFFER, sizes: SIZES, sendSeconds: SEND_SECONDS, log }), m);
}

/** The nmsend part, in the namespace (which must be up). */
async function nmsendText(m: Machine): Promise<string> {
  return marked('nmsend', await nmsendSection(ns, { count: NMSEND_COUNT, reps: REPS }), m);
}

async function fanoutText(m: Machine): Promise<string> {
  return marked('fanout', await fanoutSection(ns, { count: COUNT, reps: REPS, buffer: BUFFER }), m);
}

/** The parts that need no network namespace, each runnable alone. */
const STANDALONE: Partial<Record<Part, () => Promise<string> | string>> = {
  offline: offlineText, pipe: pipeText, decode: decodeText, pcapcompat: pcapCompatText, flows: flowsText,
};

/** The parts measured in the namespace (root), each runnable alone. */
const IN_NAMESPACE: Partial<Record<Part, (m: Machine) => Promise<string>>> = {
  fanout: fanoutText, xdp: xdpText, nmsend: nmsendText,
};

/** npm pcap and cap in bench/out/peers, installed if missing (each may be unavailable: its rows say why). */
function peers(): { pcap: PeerInstall; cap: PeerInstall } {
  log('npm pcap and cap: checking bench/out/peers ...');
  const pcap = ensurePcap(join(OUT, 'peers'));
  if ('error' in pcap) log(`npm pcap unavailable: ${pcap.error}`);
  const cap = ensureCap(join(OUT, 'peers'));
  if ('error' in cap) log(`cap unavailable: ${cap.error}`);
  return { pcap, cap };
}

async function main(): Promise<void> {
  const standalone = STANDALONE[ONLY as Part];
  if (standalone) {
    const part = await standalone();
    writeFileSync(RESULTS, withPart(readResults(), ONLY as Part, part));
    process.stdout.write(`\n${part}\n\nwritten to bench/RESULTS.md${chart()}\n`);
    return;
  }
  requireRoot();
  const machine = describeMachine();
  buildGen();
  if (ONLY === 'inject' || ONLY === 'capture') {
    // The injection or the capture tables alone, printed (RESULTS.md keeps
    // them inside the network part: BENCH_ONLY=network rewrites it).
    const { pcap, cap } = peers();
    await networkUp();
    const text = ONLY === 'inject' ? await injectTableText(pcap) : (await captureTables(pcap, cap)).join('\n\n');
    ns.down();
    process.stdout.write(`\n${text}\n\nload average after: ${loadNow()}\n`);
    return;
  }
  const single = IN_NAMESPACE[ONLY as Part];
  if (single) {
    await networkUp();
    const part = await single(machine);
    ns.down();
    writeFileSync(RESULTS, withPart(readResults(), ONLY as Part, part));
    process.stdout.write(`\n${part}\n\nwritten to bench/RESULTS.md${chart()}\n`);
    return;
  }
  const { pcap, cap } = peers();
  await networkUp();
  const sections = [...await captureTables(pcap, cap), await injectTableText(pcap)];
  // BENCH_ONLY=network measures the namespace parts too, and keeps the
  // pipe, offline and decode parts of the last run.
  const old = readResults();
  const nsParts: string[] = [];
  for (const text of Object.values(IN_NAMESPACE)) nsParts.push(await text(machine));
  ns.down();
  const pipe = ONLY === 'network' ? partOf(old, 'pipe') : await pipeText();
  const offline = ONLY === 'network' ? partOf(old, 'offline') : await offlineText();
  const decode = ONLY === 'network' ? partOf(old, 'decode') : decodeText();
  const pcapcompat = ONLY === 'network' ? partOf(old, 'pcapcompat') : await pcapCompatText();
  const flows = ONLY === 'network' ? partOf(old, 'flows') : await flowsText();
  const tail = [...nsParts, pipe, offline, decode, pcapcompat, flows].filter(Boolean).join('\n\n');
  const report = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts); numbers from one machine, one run.

## Machine

${machineText(machine, loadNow())}

## Method

${METHOD}

## Results

${sections.join('\n\n')}

## Notes

${NOTES}
${tail ? `\n${tail}\n` : ''}`;
  writeFileSync(RESULTS, report);
  process.stdout.write(`\n${sections.join('\n\n')}\n${ONLY === 'network' ? '' : `\n${tail}\n`}\nwritten to bench/RESULTS.md${chart()}\n`);
}

main().then(() => cleanup(), (err: unknown) => {
  log(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  cleanup();
  process.exitCode = 1;
});
