/**
 * The decode table (issue 4 item 6): ns per packet to decode the headers of
 * the same packets, netmap-pcap's decodePacket against npm pcap 3.1.0's own
 * decode.packet, as ratios. In-process, no root, no network.
 *
 * Workloads: two real captures from the tcpdump corpus (afs.pcap: IPv4/UDP
 * with ICMP and fragments; of10_s4810.pcap: IPv4/TCP) and a 64-byte
 * Ethernet/IPv4/TCP frame. Each contender decodes the workload's packets in
 * a loop for BENCH_DECODE_MS per repetition (after a warm-up), measured in
 * process CPU time; repetitions are interleaved between contenders and the
 * median is shown.
 *
 * `contenders` is a list so other decoders (compat/pcap's decode.packet)
 * join as one more entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePacket, findLayer } from '../index';
import { openParser } from '../lib/savefile/parser';
import { ROOT } from './env';
import { median, table } from './report';

export interface DecodePacketIn {
  data: Buffer;
  linktype: number;
  /** npm pcap's 16-byte header (tv_sec, tv_usec, caplen, len; little-endian). */
  header: Buffer;
}

/** A decoder under test: `prepare` turns packets into a function that decodes packet i (returning something, so the work is not optimised away). */
export interface DecodeContender {
  name: string;
  prepare: (packets: DecodePacketIn[]) => (i: number) => unknown;
}

const LINK_NAMES: Record<number, string> = { 1: 'LINKTYPE_ETHERNET', 0: 'LINKTYPE_NULL', 101: 'LINKTYPE_RAW', 113: 'LINKTYPE_LINUX_SLL', 127: 'LINKTYPE_IEEE802_11_RADIO' };

/** The contenders: ours (headers only, and with every address formatted), and npm pcap when installed. */
export function contenders(pcapDir: string | null): DecodeContender[] {
  const list: DecodeContender[] = [
    { name: 'netmap-pcap decodePacket', prepare: (ps) => (i) => decodePacket(ps[i].data, ps[i].linktype) },
    {
      name: 'netmap-pcap decodePacket + address strings',
      prepare: (ps) => (i) => {
        const p = decodePacket(ps[i].data, ps[i].linktype);
        const eth = findLayer(p, 'ethernet');
        const ip = findLayer(p, 'ipv4') ?? findLayer(p, 'ipv6');
        return (eth ? eth.src.length + eth.dst.length : 0) + (ip ? ip.src.length + ip.dst.length : 0);
      },
    },
  ];
  if (pcapDir) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pcap = require(pcapDir) as { decode: { packet: (raw: { buf: Buffer; header: Buffer; link_type: string }) => unknown } };
    list.push({
      name: 'npm pcap 3.1.0 decode.packet',
      prepare: (ps) => {
        const raws = ps.map((p) => ({ buf: p.data, header: p.header, link_type: LINK_NAMES[p.linktype] ?? 'LINKTYPE_ETHERNET' }));
        return (i) => pcap.decode.packet(raws[i]);
      },
    });
  }
  return list;
}

function header(caplen: number, len: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(caplen, 8);
  h.writeUInt32LE(len, 12);
  return h;
}

/** Every packet of a capture file, copied out. */
function readCapture(path: string): DecodePacketIn[] {
  const bytes = readFileSync(path);
  const o = openParser(bytes, 0, bytes.length, true);
  if (!o) throw new Error(`${path}: not a capture file`);
  const out: DecodePacketIn[] = [];
  o.parser.parse(bytes, o.consumed, bytes.length, o.consumed, (at, caplen, len, _sec, _nsec, linktype) => {
    out.push({ data: Buffer.from(bytes.subarray(at, at + caplen)), linktype, header: header(caplen, len) });
    return true;
  });
  return out;
}

/** A 64-byte Ethernet/IPv4/TCP frame (198.18.0.0/15, PSH+ACK, no options, 10 bytes of data). */
function tcp64(): DecodePacketIn {
  const data = Buffer.alloc(64);
  data.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 0); // Ethernet
  data.set([0x45, 0, 0, 50, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 19, 255, 254], 14); // IPv4
  data.writeUInt16BE(40000, 34);
  data.writeUInt16BE(443, 36);
  data.writeUInt32BE(0xdeadbeef, 38);
  data.writeUInt32BE(0x01020304, 42);
  data[46] = 5 << 4;
  data[47] = 0x18;
  data.writeUInt16BE(65535, 48);
  data.write('0123456789', 54, 'latin1');
  return { data, linktype: 1, header: header(64, 64) };
}

interface Workload { name: string; packets: DecodePacketIn[] }

function workloads(): { list: Workload[]; missing: string[] } {
  const corpus = join(ROOT, '..', 'shared', 'corpus', 'tcpdump-tests');
  const list: Workload[] = [];
  const missing: string[] = [];
  for (const [file, what] of [['afs.pcap', 'IPv4/UDP/ICMP'], ['of10_s4810.pcap', 'IPv4/TCP']]) {
    const path = join(corpus, file);
    if (existsSync(path)) {
      const packets = readCapture(path);
      list.push({ name: `${file} (${packets.length} packets, ${what})`, packets });
    } else missing.push(`${file}: not found at ${path}`);
  }
  list.push({ name: '64-byte Ethernet/IPv4/TCP', packets: [tcp64()] });
  return { list, missing };
}

/**
 * CPU ns per packet (user + system of the process, so GC threads count)
 * over `ms` milliseconds of decoding the workload round-robin. CPU time,
 * not wall time: on a shared machine other processes' time is not ours.
 */
function measure(run: (i: number) => unknown, n: number, ms: number): number {
  let sink = 0;
  let done = 0;
  const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  const c0 = process.cpuUsage();
  do {
    for (let k = 0; k < 10_000; k++) {
      if (run(done % n) !== undefined) sink++;
      done++;
    }
  } while (process.hrtime.bigint() < until);
  const c = process.cpuUsage(c0);
  if (sink < 0) throw new Error('unreachable');
  return ((c.user + c.system) * 1000) / done;
}

/** The decode section's Markdown (the caller puts it between its markers). */
export function decodeSection(opts: { reps: number; ms: number; pcapDir: string | null; pcapError?: string }): string {
  const { list, missing } = workloads();
  const cs = contenders(opts.pcapDir);
  const log = (s: string): void => { process.stderr.write(`${s}\n`); };
  const parts: string[] = ['## Decoding'];
  parts.push(`CPU ns per packet (process user + system time, GC included) to decode every header of each packet (median of ${opts.reps} runs of ${opts.ms} ms each, after a warm-up; contenders alternate), and how many times faster than npm pcap 3.1.0's decode.packet on the same packets.`);
  for (const w of list) {
    const fns = cs.map((c) => c.prepare(w.packets));
    for (const fn of fns) measure(fn, w.packets.length, Math.min(300, opts.ms)); // warm-up: JIT
    const runs: number[][] = cs.map(() => []);
    for (let r = 0; r < opts.reps; r++) {
      for (const [k, fn] of fns.entries()) {
        const ns = measure(fn, w.packets.length, opts.ms);
        runs[k].push(ns);
        log(`decode ${w.name} rep ${r + 1}: ${cs[k].name} ${ns.toFixed(1)} ns/pkt`);
      }
    }
    const med = runs.map(median);
    const ref = cs.findIndex((c) => c.name.startsWith('npm pcap'));
    const rows = cs.map((c, k) => [c.name, med[k].toFixed(1), ref >= 0 ? `${(med[ref] / med[k]).toFixed(2)}×` : '—']);
    if (ref < 0) rows.push([`npm pcap 3.1.0 decode.packet`, '—', `not run: ${opts.pcapError ?? 'not installed'}`]);
    parts.push(`### ${w.name}\n\n${table(['decoder', 'CPU ns/packet', 'speed vs npm pcap'], rows)}`);
  }
  if (missing.length) parts.push(`Workloads not run: ${missing.join('; ')}.`);
  parts.push(`Notes: npm pcap builds its address objects as byte arrays and formats them only in toString(); \
netmap-pcap keeps addresses as numbers and formats them when read, so the second row reads the Ethernet and IP \
addresses of every packet to show that cost. npm pcap's decode.packet is called as its 'packet' listeners call it, \
with the raw {buf, header, link_type} object.`);
  return parts.join('\n\n');
}
