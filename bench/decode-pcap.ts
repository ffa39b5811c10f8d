/**
 * The compat/pcap decode table (issue 4 item 6): `decode.packet` of
 * compat/pcap against npm pcap 3.1.0's own, on the same packets, as
 * ns/packet and a ratio (target: compat at least 3x faster).
 *
 * Packet sets: one 64-byte Ethernet/IPv4/TCP frame (10 bytes of payload),
 * decoded over and over; and every packet of the tcpdump test corpus that
 * npm pcap decodes without throwing (the ones it throws on would measure
 * its exception path). Both decoders get the same objects, shaped as
 * npm pcap's 'packet' event shapes them ({ buf, header, link_type }, buf
 * exactly caplen bytes long).
 *
 * Method: CPU time (process.cpuUsage, user+system) of whole passes over
 * the set, at least BENCH_DECODE_MS per measurement, after a warm-up pass
 * of the same length; npm pcap and compat alternate, BENCH_REPS times; the
 * median is reported. npm pcap prints a line for link types and ethertypes
 * it does not know: console.log is a no-op while it runs, so that printing
 * is not counted against it.
 */
import { PCAP_VERSION } from './peers';
import { corpusDir, loadCorpusPackets } from './pcap-corpus';
import { median } from './report';
import type { PacketWithHeader } from '../compat/pcap-internal/types';

type DecodePacket = (p: PacketWithHeader) => unknown;

/** The 64-byte frame: Ethernet, IPv4 198.18.0.1 -> 198.18.0.2, TCP 54321 -> 80, 10 bytes of data. */
export function tcp64(): PacketWithHeader {
  const buf = Buffer.from('020000000002020000000001080045000032000040004006' +
    '0000c6120001c6120002d43100500000000100000000501802000000000000010203040506070809', 'hex');
  const header = Buffer.alloc(16);
  header.writeUInt32LE(buf.length, 8);
  header.writeUInt32LE(buf.length, 12);
  return { buf, header, link_type: 'LINKTYPE_ETHERNET' };
}

/** CPU ns per packet of passes over `packets` lasting at least `ms`. */
function measure(decode: DecodePacket, packets: PacketWithHeader[], ms: number): number {
  const log = console.log;
  console.log = () => {};
  try {
    let done = 0;
    const start = process.cpuUsage();
    let used = 0;
    do {
      for (let i = 0; i < packets.length; i++) decode(packets[i]);
      done += packets.length;
      const u = process.cpuUsage(start);
      used = (u.user + u.system) / 1000;
    } while (used < ms);
    return (used * 1e6) / done;
  } finally {
    console.log = log;
  }
}

/** The packets npm pcap decodes without throwing. */
function decodable(decode: DecodePacket, packets: PacketWithHeader[]): PacketWithHeader[] {
  const log = console.log;
  console.log = () => {};
  try {
    return packets.filter((p) => {
      try { decode(p); return true; } catch { return false; }
    });
  } finally {
    console.log = log;
  }
}

export interface DecodeRow { set: string; packets: number; theirs: number; ours: number }

/** Measure both decoders on both sets; `pcapDir` is npm pcap's module directory. */
export async function decodeRows(pcapDir: string, reps: number, ms: number): Promise<DecodeRow[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const theirs = (require(`${pcapDir}/decode`) as { decode: { packet: DecodePacket } }).decode.packet;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ours = (require('../compat/pcap/decode') as { decode: { packet: DecodePacket } }).decode.packet;
  // The same frame 1000 times: a pass long enough that reading the clock is noise.
  const sets: [string, PacketWithHeader[]][] = [['64-byte TCP frame', new Array(1000).fill(tcp64())]];
  const dir = corpusDir();
  if (dir) sets.push(['tcpdump corpus (every packet npm pcap decodes)', decodable(theirs, await loadCorpusPackets(dir))]);
  const rows: DecodeRow[] = [];
  for (const [set, packets] of sets) {
    measure(theirs, packets, ms);
    measure(ours, packets, ms);
    const t: number[] = [];
    const o: number[] = [];
    for (let r = 0; r < reps; r++) {
      t.push(measure(theirs, packets, ms));
      o.push(measure(ours, packets, ms));
      process.stderr.write(`decode ${set} rep ${r + 1}: npm pcap ${t[r].toFixed(0)} ns, compat ${o[r].toFixed(0)} ns\n`);
    }
    rows.push({ set, packets: new Set(packets).size, theirs: median(t), ours: median(o) });
  }
  return rows;
}

export const DECODE_METHOD = `\
- Both decoders get the same objects, as a 'packet' event delivers them:
  { buf, header, link_type }, buf exactly caplen bytes long. Corpus: every
  packet of ../shared/corpus/tcpdump-tests whose link type npm pcap
  decodes and on which it does not throw.
- CPU time (process.cpuUsage) of whole passes over the set, at least
  BENCH_DECODE_MS per measurement after a warm-up of the same length;
  npm pcap and compat/pcap alternate; median of BENCH_REPS. No emitter (the
  usual \`pcap.decode.packet(raw)\` call). npm pcap's console.log lines for
  what it cannot decode are silenced while it runs, not counted.`;

export function decodeTable(rows: DecodeRow[]): string {
  const lines = [
    `| packets | count | npm pcap ${PCAP_VERSION} decode.packet (ns/pkt) | compat/pcap decode.packet (ns/pkt) | speed-up |`,
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.set} | ${r.packets} | ${r.theirs.toFixed(0)} | ${r.ours.toFixed(0)} | ${(r.theirs / r.ours).toFixed(2)}x |`),
  ];
  return lines.join('\n');
}
