/**
 * Fuzz: 100,000 random and mutated packets through decodePacket, for every
 * link type it decodes (and one it does not), and through decodeFrom for
 * every protocol it can start at: never a throw, never a hang,
 * the result's invariants hold (test/fixtures/decode/check.ts).
 *
 * Seeds: hand-built frames of every protocol and a sample of the corpus.
 * Mutations: truncation, bit flips, random byte stores, length-field lies
 * (a random 8/16-bit value written inside a decoded header), inserted and
 * deleted bytes, wholly random bytes. The PRNG seed is printed;
 * DECODE_FUZZ_SEED=<n> reruns one, DECODE_FUZZ_CASES=<n> changes the count.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { DECODED_LINKTYPES, START } from '../lib/decode/packet';
import type { StartProtocol } from '../lib/decode/packet';
import { decodeChecked } from './fixtures/decode/check';
import { seedFrames } from './fixtures/decode/seeds';
import { prng, readAll } from './fixtures/savefile/util';

const CASES = Number(process.env.DECODE_FUZZ_CASES ?? 100_000);
const SEED = Number(process.env.DECODE_FUZZ_SEED ?? (Date.now() % 0x7fffffff));
const dir = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');

interface Sample { data: Uint8Array; linktype: number }
const STARTS = Object.keys(START) as StartProtocol[];

function corpusSample(): Sample[] {
  if (!existsSync(dir)) return [];
  const out: Sample[] = [];
  for (const name of readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort()) {
    const { packets } = readAll(readFileSync(path.join(dir, name)));
    // A few packets per file, of the link types we decode.
    for (const p of packets.slice(0, 3)) if (DECODED_LINKTYPES.includes(p.linktype)) out.push({ data: p.data, linktype: p.linktype });
  }
  return out;
}

t.test(`${CASES} random and mutated packets: no throw, no hang`, async (t) => {
  t.comment(`seed ${SEED} (rerun with DECODE_FUZZ_SEED=${SEED})`);
  const rnd = prng(SEED);
  const int = (n: number): number => Math.floor(rnd() * n);
  const seeds: Sample[] = [...seedFrames(), ...corpusSample()];
  t.ok(seeds.length > 50, `${seeds.length} seed packets`);
  const linktypes = [...DECODED_LINKTYPES, 147];
  const problems: string[] = [];
  let worstNs = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  for (let c = 0; c < CASES && problems.length < 20; c++) {
    const base = seeds[int(seeds.length)];
    let data = Buffer.from(base.data);
    let linktype = base.linktype;
    const how = int(8);
    switch (how) {
      case 0: data = data.subarray(0, int(data.length + 1)); break;
      case 1: for (let k = 1 + int(4); k > 0 && data.length; k--) data[int(data.length)] ^= 1 << int(8); break;
      case 2: for (let k = 1 + int(4); k > 0 && data.length; k--) data[int(data.length)] = int(256); break;
      case 3: { // a length-field lie: a 16-bit value inside the first 80 bytes, at an even offset or not
        if (data.length >= 2) {
          const at = int(Math.min(data.length, 80) - 1);
          const v = [0, 1, 7, 8, 20, 0xffff, int(0x10000), data.length - at][int(8)] & 0xffff;
          data.writeUInt16BE(v, at);
        }
        break;
      }
      case 4: { const at = int(data.length + 1); data = Buffer.concat([data.subarray(0, at), Buffer.from([int(256), int(256)]), data.subarray(at)]); break; }
      case 5: { const at = int(data.length + 1); data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1 + int(8))]); break; }
      case 6: data = Buffer.from(Array.from({ length: int(200) }, () => int(256))); linktype = linktypes[int(linktypes.length)]; break;
      default: linktype = linktypes[int(linktypes.length)]; break; // the right bytes, the wrong link type
    }
    // Every eighth case starts at a random protocol instead (decodeFrom), so
    // each decoder also sees garbage first-hand, not only behind a valid header.
    const start = c % 8 === 7 ? STARTS[int(STARTS.length)] : undefined;
    const s0 = process.hrtime.bigint();
    try {
      const { pkt, problem } = decodeChecked(data, linktype, start);
      if (problem) problems.push(`case ${c} (${start ?? `linktype ${linktype}`}, ${data.toString('hex')}): ${problem}`);
      if (pkt.error) errors++;
    } catch (e) {
      problems.push(`case ${c} (${start ?? `linktype ${linktype}`}, ${data.toString('hex')}): threw ${(e as Error).stack}`);
    }
    const ns = Number(process.hrtime.bigint() - s0);
    if (ns > worstNs) worstNs = ns;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  t.same(problems, [], `no throws, no broken invariants (seed ${SEED})`);
  t.comment(`${CASES} cases in ${ms.toFixed(0)} ms, ${errors} stopped with an error, slowest ${(worstNs / 1e6).toFixed(2)} ms`);
  // No hang: a bounded decoder finishes any packet of a few hundred bytes in well under this.
  t.ok(worstNs < 1e9, `slowest decode ${(worstNs / 1e6).toFixed(2)} ms < 1 s (a shared machine can stall a few ms)`);
});
