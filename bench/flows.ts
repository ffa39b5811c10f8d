/**
 * The flows part (issue 14, Benchmark; BENCH_ONLY=flows, no root): TCP
 * reassembly and IP defragmentation on crafted captures (bench/flows-gen.ts),
 * FlowEngine against tshark and npm pcap's TCPTracker in the same run, and
 * the FanOut distributor at 1 and 2 workers (bench/flows-fanout.ts).
 *
 * Knobs: BENCH_FLOWS_MB TCP capture size in MiB (128), BENCH_FLOWS_CONNS
 * connections in it (64), BENCH_FRAG_MB fragment capture in MiB (256),
 * BENCH_FANOUT_COUNT frames per distributor run (300000), BENCH_REPS.
 */
import { join } from 'node:path';
import { Child } from './child';
import { ensureEmptyCapture, ensureFragCapture, ensureTcpCapture } from './flows-gen';
import { flowTable, type FlowRow, type FlowRun } from './flows-report';
import { defragArgs, followArgs, FollowCounter, lessStartup, LineCounter, tshark } from './flows-tshark';
import { PCAP_VERSION } from './peers';

const CHILD = join(__dirname, 'flows-child.js');
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

async function child(args: string[], timeoutMs: number): Promise<FlowRun> {
  const c = new Child([process.execPath, CHILD, ...args]);
  const code = await c.finish(timeoutMs);
  const line = c.stdout.find((l) => l.startsWith('result '));
  if (code !== 0 || !line) throw new Error(`${args[0]} exited ${code}: ${c.failure()}`);
  return JSON.parse(line.slice(7)) as FlowRun;
}

interface Spec { name: string; run(): Promise<FlowRun> }

async function measure(specs: Spec[], reps: number, what: string): Promise<FlowRow[]> {
  const rows: FlowRow[] = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= reps; rep++) {
    for (const [i, s] of specs.entries()) {
      try {
        const r = await s.run();
        rows[i].runs.push(r);
        log(`${what} rep ${rep}: ${s.name}: ${r.packets} pkts, ${r.bytes} B, ${r.units} units, ` +
          `${(r.wallNs / 1e9).toFixed(2)} s wall, ${(r.cpuNs / 1e9).toFixed(2)} s CPU`);
      } catch (err) {
        const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
        rows[i].failures.push(msg);
        log(`${what} rep ${rep}: ${s.name}: FAILED: ${msg}`);
      }
    }
  }
  return rows;
}

const TSHARK_FOLLOW = 'tshark, -z follow,tcp,raw per stream';
const TSHARK_DEFRAG = 'tshark, ip/ipv6.defragment';
const OURS_TCP = 'FlowEngine TCP reassembly';
const NPM_TCP = `npm pcap ${PCAP_VERSION} TCPTracker`;

async function reassembly(mib: number, conns: number, reps: number, pcapDir: string | null, pcapError?: string): Promise<string> {
  const { path, meta } = await ensureTcpCapture(mib, conns);
  log(`flows: TCP capture ${path}: ${meta.packets} packets, ${meta.payload} payload bytes`);
  const timeout = Math.max(120_000, meta.packets * 0.2);
  const specs: Spec[] = [
    { name: OURS_TCP, run: () => child(['engine-tcp', path], timeout) },
    { name: TSHARK_FOLLOW, run: async () => {
      const empty = await tshark(followArgs(await ensureEmptyCapture(), conns), new FollowCounter(), timeout);
      const k = new FollowCounter();
      const t = lessStartup(await tshark(followArgs(path, conns), k, timeout), empty);
      return { packets: meta.packets, bytes: k.bytes, units: k.streams * 2, ...t };
    } },
  ];
  if (pcapDir) specs.push({ name: NPM_TCP, run: () => child(['pcap-tcp', path, pcapDir], timeout) });
  const rows = await measure(specs, reps, 'flows tcp');
  for (const r of rows) r.expectedBytes = meta.payload;
  if (!pcapDir) rows.push({ name: NPM_TCP, runs: [], failures: [], missing: pcapError ?? 'not installed' });
  return `### TCP reassembly: ${meta.conns} connections, ${meta.packets.toLocaleString('en-US')} packets, ` +
    `${(meta.bytes / 2 ** 20).toFixed(0)} MiB, ${(meta.payload / 1e6).toFixed(1)} MB of payload\n\n` +
    flowTable(rows, [TSHARK_FOLLOW, NPM_TCP], 'directions', true);
}

async function defrag(mib: number, reps: number): Promise<string> {
  const { path, meta } = await ensureFragCapture(mib);
  log(`flows: fragment capture ${path}: ${meta.packets} fragments, ${meta.datagrams} datagrams`);
  const timeout = Math.max(120_000, meta.packets * 0.2);
  const rows = await measure([
    { name: 'FlowEngine defragmentation', run: () => child(['engine-defrag', path], timeout) },
    { name: TSHARK_DEFRAG, run: async () => {
      const empty = await tshark(defragArgs(await ensureEmptyCapture()), new LineCounter(), timeout);
      const k = new LineCounter();
      const t = lessStartup(await tshark(defragArgs(path), k, timeout), empty);
      return { packets: meta.packets, bytes: NaN, units: k.lines, ...t };
    } },
  ], reps, 'flows defrag');
  const short = rows.filter((r) => r.runs.some((x) => x.units !== meta.datagrams)).map((r) => r.name);
  return `### IP defragmentation: ${meta.datagrams.toLocaleString('en-US')} UDP datagrams of 4008 bytes ` +
    `(half IPv4, half IPv6), ${meta.packets.toLocaleString('en-US')} fragments\n\n` +
    `${flowTable(rows, [TSHARK_DEFRAG], 'datagrams', false)}\n\n` +
    `Datagrams rebuilt: ${short.length ? `**not all ${meta.datagrams} by ${short.join(', ')}**` : `all ${meta.datagrams} by every reader`}.`;
}

const METHOD = `\
- Captures crafted by bench/flows-gen.ts into bench/out/ (reused while
  their parameters hold), not captured from a live transfer: the sizes
  needed here in seconds and without root. TCP: concurrent connections
  interleaved round-robin, a handshake, a 1 KiB request, a bulk answer in
  1448-byte segments, the client's ACK every second segment, FINs; one
  data segment in 32 swapped with the next frame of its connection.
  Fragments: 4008-byte UDP datagrams, IPv4 (1480-byte pieces) and IPv6
  (fragment header, 1448-byte pieces), every eighth in reverse order.
- One reader at a time, each in a fresh process, the file in the page
  cache; medians of the repetitions. Rate = packets in the file / wall
  clock (payload Gbit/s likewise); CPU ns/pkt = user+sys CPU / packets.
  Node readers: from just before the file is opened to the end (module
  loading excluded), process.cpuUsage(). tshark: spawn to exit, CPU from
  getrusage of the child (bash \`times\`), less the same invocation on a
  capture with no packets (its start-up and exit, ~0.5 s), measured just
  before each run: both sides are timed over the packets only.
- FlowEngine: \`openOffline\` + \`loop\` into \`FlowEngine({ table: false })\`
  (defragmentation on), bytes counted in each direction's \`'data'\`.
- tshark (the fairest invocation that reassembles every stream): one
  pass, \`-q -o tcp.desegment_tcp_streams:TRUE -o
  tcp.reassemble_out_of_order:TRUE -z follow,tcp,raw,0 … -z
  follow,tcp,raw,N-1\` — one follow tap per stream, each printing its
  stream's bytes in order as hex (counted here as they stream). Its
  follow taps each see every packet, so its cost grows with the number of
  streams: that is how tshark follows all streams.
- npm pcap ${PCAP_VERSION}'s own TCPTracker (installed into bench/out/peers),
  on its own offline session and decoder: \`'data send'\` / \`'data recv'\`
  bytes. It does not reorder (segments come out as they arrive) and only
  delivers in ESTAB, so its byte count is what it hands out, not in order.
- Defragmentation: FlowEngine with TCP and the flow table off, datagrams
  counted in \`'datagram'\`; tshark \`-o ip.defragment:TRUE -o
  ipv6.defragment:TRUE -Y udp -T fields -e frame.number\`, one line per
  datagram it rebuilt.
- vs X: > 1 = faster than X: its rate ratio, then X's CPU per packet over ours.`;

export async function flowsSection(o: { mib: number; conns: number; fragMib: number; reps: number;
  pcapDir: string | null; pcapError?: string; fanout?: () => Promise<string> }): Promise<string> {
  const started = Date.now();
  const parts = [await reassembly(o.mib, o.conns, o.reps, o.pcapDir, o.pcapError), await defrag(o.fragMib, o.reps)];
  if (o.fanout) parts.push(await o.fanout());
  return `## Flows: TCP reassembly, IP defragmentation, the distributor

${METHOD}

${parts.join('\n\n')}

This part took ${((Date.now() - started) / 1000).toFixed(0)} s (captures made earlier are reused and not counted).`;
}
