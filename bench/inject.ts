/**
 * The injection table: one sender at a time on nmp0, nobody capturing on
 * nmp1. Per run: the sender's own rate and CPU per frame (its JSON line),
 * and how many frames arrived at nmp1 (rx_packets delta, inside the netns).
 * Senders run on CPU 0; nmp1's NAPI thread on CPU 1.
 */
import { join } from 'node:path';
import { Child, sleep } from './child';
import { GEN_CPU } from './capture';
import { GEN, Netns } from './env';
import type { SendResult } from './senders/frames';

export interface InjectRun {
  sender: string;
  sent: number;
  pps: number;
  cpuNsPerPkt: number;
  arrived: number;
  /** Sends that failed (ENOBUFS: veth's peer ring full) and were retried. */
  retries: number;
}

export interface SenderSpec {
  name: string;
  argv(ns: Netns, count: number, size: number, seconds: number): string[];
}

/** A node sender script from dist/bench/senders, sending on `device`. */
export const node = (script: string, mode: string, extra: string[] = [], device = 'nmp0') =>
  (ns: Netns, count: number, size: number, seconds: number): string[] =>
    ns.exec(GEN_CPU, process.execPath, [join(__dirname, 'senders', script), device, mode,
      String(count), String(size), String(seconds), ...extra]);

const gen = (mode: string) => (ns: Netns, count: number, size: number, seconds: number): string[] =>
  ns.exec(GEN_CPU, GEN, ['-i', 'nmp0', '-n', String(count), '-s', String(size), '-m', mode, '-d', String(seconds)]);

export function senders(pcapDir: string | null): SenderSpec[] {
  const list: SenderSpec[] = [
    { name: 'C gen txring (PACKET_TX_RING, 256/send)', argv: gen('txring') },
    { name: 'C gen sendmmsg (256/call)', argv: gen('sendmmsg') },
    { name: 'C gen send (1/call)', argv: gen('send') },
    { name: 'netmap-pcap injectBatch (1024/call)', argv: node('nmp-send.js', 'batch') },
    { name: 'netmap-pcap injectBatch, direction \'in\'', argv: node('nmp-send.js', 'batch-in') },
    { name: 'netmap-pcap inject (1/call)', argv: node('nmp-send.js', 'single') },
  ];
  if (pcapDir) list.push({ name: 'npm pcap session.inject (1/call)', argv: node('pcap-send.js', 'single', [pcapDir]) });
  return list;
}

export async function injectOnce(ns: Netns, spec: SenderSpec, count: number, size: number,
                                 seconds: number): Promise<InjectRun> {
  const rx0 = ns.counter('nmp1', 'rx_packets');
  const c = new Child(spec.argv(ns, count, size, seconds));
  const code = await c.finish((seconds + 20) * 1000);
  const line = c.stdout.find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`${spec.name} failed (exit ${code}): ${c.failure()}`);
  const r = JSON.parse(line) as SendResult;
  await sleep(200); // let nmp1's NAPI thread finish what is queued
  return { sender: spec.name, sent: r.sent, pps: r.pps, cpuNsPerPkt: r.cpu_ns_per_pkt,
    arrived: ns.counter('nmp1', 'rx_packets') - rx0, retries: r.retries ?? 0 };
}
