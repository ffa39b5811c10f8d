/**
 * The AF_XDP table (BENCH_ONLY=xdp): `xdp:` ports against the plain
 * (TPACKET_V3) backend on the same veth pair in one run. The same
 * consumer (the rxRing() walk) captures on nmp1 and on xdp:nmp1 while gen
 * floods nmp0; the same sender (injectBatch) sends on nmp0 and on
 * xdp:nmp0. Reported: capture CPU ns per packet, RX and TX packets per
 * second, and xdp / plain ratios.
 */
import { CaptureRun, captureOnce, ConsumerSpec, nodeConsumer, RX_CPU } from './capture';
import type { Netns } from './env';
import { injectOnce, InjectRun, node, SenderSpec, senders } from './inject';
import { attempt, failureNote, fix, int, median, notes, ratio, Row, table } from './report';

export interface XdpBenchOptions {
  count: number;         // frames per capture run
  injectCount: number;   // frames per injection run
  reps: number;
  bufferBytes: number;
  sizes: number[];
  sendSeconds: number;
  log(line: string): void;
}

/** Receive rate: what was captured over the time gen took to send it. */
const rxPps = (r: CaptureRun): number => r.captured / (r.sent / r.genPps);

const med = <R>(r: Row<R> | undefined, f: (x: R) => number): number => (r ? median(r.runs.map(f)) : NaN);

async function captureText(ns: Netns, size: number, o: XdpBenchOptions): Promise<string> {
  const specs: ConsumerSpec[] = [
    nodeConsumer('plain nmp1, rxRing() walk', 'nmp-ring.js'),
    nodeConsumer('xdp:nmp1, rxRing() walk', 'nmp-ring.js', () => [], RX_CPU, 'xdp:nmp1'),
  ];
  const rows: Array<Row<CaptureRun>> = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const [i, spec] of specs.entries()) {
      await attempt(rows[i], `xdp capture ${size} B rep ${rep}: ${spec.name}`,
        () => captureOnce(ns, spec, o.count, size, o.bufferBytes), (r) =>
          `captured ${r.captured}/${r.sent} drop ${r.drop} ${r.cpuNsPerPkt.toFixed(1)} ns/pkt ` +
          `${(rxPps(r) / 1e6).toFixed(2)} Mpps (gen ${(r.genPps / 1e6).toFixed(2)} Mpps)`, o.log);
    }
  }
  const body = rows.map((r) => [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.captured)),
    r.runs.every((x) => x.drop !== null) ? int(med(r, (x) => x.drop!)) : '—',
    fix(med(r, (x) => x.cpuNsPerPkt)), fix(med(r, rxPps) / 1e6, 2), notes(failureNote(r))]);
  const [plain, xdp] = rows;
  return `### Capture, ${size}-byte frames, ${o.count.toLocaleString('en-US')} per run\n\n` +
    `${table(['consumer', 'sent', 'captured', 'drops', 'CPU ns/pkt', 'RX Mpps', 'notes'], body)}\n\n` +
    `- xdp / plain, CPU ns per packet: ${ratio(med(xdp, (x) => x.cpuNsPerPkt) / med(plain, (x) => x.cpuNsPerPkt))}\n` +
    `- xdp / plain, RX packets per second: ${ratio(med(xdp, rxPps) / med(plain, rxPps))}`;
}

/** Frames that reached nmp1 per second of the sender's run. */
const deliveredPps = (r: InjectRun): number => (r.sent > 0 ? r.pps * (r.arrived / r.sent) : 0);

async function injectText(ns: Netns, o: XdpBenchOptions): Promise<string> {
  // The C plain-socket senders of the injection table (bench/inject.ts):
  // the reference is the best of them in this run.
  const cSenders = senders(null).filter((s) => s.name.startsWith('C '));
  const specs: SenderSpec[] = [
    { name: 'plain nmp0, injectBatch (1024/call)', argv: node('nmp-send.js', 'batch') },
    { name: 'xdp:nmp0, injectBatch (1024/call)', argv: node('nmp-send.js', 'batch', [], 'xdp:nmp0') },
    ...cSenders,
  ];
  const rows: Array<Row<InjectRun>> = specs.map((s) => ({ name: s.name, runs: [], failures: [] }));
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const [i, spec] of specs.entries()) {
      await attempt(rows[i], `xdp inject rep ${rep}: ${spec.name}`,
        () => injectOnce(ns, spec, o.injectCount, 60, o.sendSeconds),
        (r) => `sent ${r.sent} arrived ${r.arrived} ${(r.pps / 1e6).toFixed(3)} Mpps ${r.cpuNsPerPkt.toFixed(1)} ns/pkt`,
        o.log);
    }
  }
  const body = rows.map((r) => [r.name, int(med(r, (x) => x.sent)), int(med(r, (x) => x.arrived)),
    fix(med(r, (x) => x.pps) / 1e6, 3), fix(med(r, deliveredPps) / 1e6, 3), fix(med(r, (x) => x.cpuNsPerPkt)),
    notes(failureNote(r))]);
  const [plain, xdp, ...c] = rows;
  const bestC = c.reduce<Row<InjectRun> | undefined>((best, r) =>
    (best === undefined || med(r, deliveredPps) > med(best, deliveredPps) ? r : best), undefined);
  return `### Injection, 60-byte frames, ${o.injectCount.toLocaleString('en-US')} per run (cap ${o.sendSeconds} s)\n\n` +
    `${table(['sender', 'sent', 'arrived nmp1', 'TX Mpps', 'delivered Mpps', 'CPU ns/pkt', 'notes'], body)}\n\n` +
    `- xdp / best C plain-socket sender (${bestC?.name ?? 'none'}), delivered packets per second: ` +
    `${ratio(med(xdp, deliveredPps) / med(bestC, deliveredPps))} (target ≥ 1.2×)\n` +
    `- xdp / that C sender, sender CPU ns per packet: ` +
    `${ratio(med(xdp, (x) => x.cpuNsPerPkt) / med(bestC, (x) => x.cpuNsPerPkt))}\n` +
    `- xdp / plain, TX packets per second: ${ratio(med(xdp, (x) => x.pps) / med(plain, (x) => x.pps))}\n` +
    `- xdp / plain, sender CPU ns per packet: ${ratio(med(xdp, (x) => x.cpuNsPerPkt) / med(plain, (x) => x.cpuNsPerPkt))}\n` +
    `- frames sent but not arrived (median): plain ${int(med(plain, (x) => x.sent - x.arrived))}, ` +
    `xdp ${int(med(xdp, (x) => x.sent - x.arrived))}`;
}

const METHOD = `\
- Same namespace, veth pair, placement and warm-up as the capture and
  injection tables above (bench/netns.sh; gen and senders on CPU 0, the
  consumer and nmp1's NAPI thread on CPU 1). veth has native XDP but no
  zero-copy: xdp: ports run in copy mode here (stats().mode === 'copy').
- Capture: the rxRing() walk consumer (bench/consumers/nmp-ring.ts) on nmp1
  and on xdp:nmp1, interleaved per repetition. RX Mpps = frames captured /
  the time gen took to send them (gen's own rate), so it is the rate the
  consumer kept up with while gen ran flat out.
- Injection: the injectBatch sender (bench/senders/nmp-send.ts) on nmp0
  and on xdp:nmp0, and the C plain-socket senders of the injection table
  (bench/gen.c), interleaved; nothing captures on nmp1. TX Mpps and CPU
  ns/pkt are the sender's own; delivered Mpps = TX Mpps × the share of the
  frames that reached nmp1. The target compares xdp: with the best C
  sender's delivered rate in this run.
- Medians of the repetitions; ratios are of those medians.`;

const NOTES = `\
- Wake-ups: a plain port is woken when the kernel retires a block (full,
  or after the 100 ms timeout). An XDP socket is readable as soon as one
  packet is on its RX ring; woken that way, the consumer got ~70 packets
  per wake-up on this veth and paid the wake-up over them (3.5× the plain
  port's CPU per packet). An xdp: port therefore lets packets gather
  before it wakes the reader (csrc/xdp_gather.h): a hold timer sized from
  the rate, at most the session timeout and what half the port's frames
  absorb at copy mode's assumed peak rate (2 Mpps: ~2 ms by default),
  unless the session is \`immediate\`.
- TX: a plain port hands the kernel a ring of frames in one send(); an
  xdp: port posts descriptors and kicks with sendto(), which moves up to
  256 frames per kick in copy mode (XDP_MAX_TX_SKB_BUDGET, Linux 6.17+;
  32 before). A frame that a full veth peer refuses is lost in
  AF_XDP copy mode (the kernel reports EBUSY after completing it); the
  port pauses after each such refusal, and the last line above counts the
  losses.`;

/** The whole AF_XDP part: method and tables (markdown). */
export async function xdpSection(ns: Netns, o: XdpBenchOptions): Promise<string> {
  const parts: string[] = [];
  for (const size of o.sizes) parts.push(await captureText(ns, size, o));
  parts.push(await injectText(ns, o));
  return `## AF_XDP (xdp:) against the plain backend\n\n${METHOD}\n\n${parts.join('\n\n')}\n\n${NOTES}`;
}
