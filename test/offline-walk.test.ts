/**
 * The native record walk (csrc/savefile_walk.c) against the TypeScript
 * parser alone, over the tcpdump project's 830 real captures: an offline
 * session must deliver exactly the packets the parser reads (bytes, caplen,
 * len, timestamps, link type) and end with the same error, code and
 * message, whatever the ring size (a ring of 2 slots makes the walk stop
 * and resume at every record). With a filter, the session must deliver
 * what libpcap delivers: `tcpdump -r FILE -w - FILTER`, read back (so the
 * walk's own BPF interpreter, csrc/bpf_run.c, is checked against libpcap's
 * bpf_filter on every packet of the corpus).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { openOffline, PcapError } from '../index';
import { have, readAll, type Pkt } from './fixtures/savefile/util';

const dir = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');
/** ts_usec ≥ 1,000,000: libpcap passes it through, we carry it (see savefile-corpus.test.ts). */
const BAD_USEC = new Set([
  'atm-oam-loopback-print-overrun.pcap', 'rx_serviceid_oobr.pcap', 'timestamp_invalid_micro.pcap',
]);

interface SessionRead { packets: Pkt[]; error: PcapError | null }

async function readSession(file: string, options: { ringSlots?: number; filter?: string }): Promise<SessionRead> {
  const packets: Pkt[] = [];
  let s;
  try {
    s = await openOffline(file, options);
  } catch (e) {
    if (e instanceof PcapError) return { packets, error: e };
    throw e;
  }
  try {
    for await (const p of s.packets({ copy: true })) {
      packets.push({ data: p.data, caplen: p.caplen, len: p.len, tsSec: p.tsSec, tsNsec: p.tsNsec,
        linktype: p.linktype, ifIndex: 0 });
    }
    return { packets, error: null };
  } catch (e) {
    if (e instanceof PcapError) return { packets, error: e };
    throw e;
  } finally {
    s.close();
  }
}

/** What differs between two reads, or '' (timestamps compared as slots hold them: uint32 seconds). */
function compare(got: SessionRead, want: { packets: Pkt[]; error: PcapError | null }): string {
  if (got.packets.length !== want.packets.length) return `${got.packets.length} packets, want ${want.packets.length}`;
  for (let i = 0; i < got.packets.length; i++) {
    const g = got.packets[i];
    const w = want.packets[i];
    if (!g.data.equals(w.data) || g.caplen !== w.caplen || g.len !== w.len || g.linktype !== w.linktype ||
        g.tsSec !== w.tsSec % 2 ** 32 || g.tsNsec !== w.tsNsec) {
      return `packet ${i}: ${g.caplen}/${g.len}/${g.linktype} ${g.tsSec}.${g.tsNsec}, ` +
        `want ${w.caplen}/${w.len}/${w.linktype} ${w.tsSec}.${w.tsNsec}`;
    }
  }
  if (String(got.error) !== String(want.error)) return `error ${String(got.error)}, want ${String(want.error)}`;
  return '';
}

if (!existsSync(dir)) {
  if (process.env.CI === 'true') t.fail(`corpus not found at ${dir}`);
  else t.plan(0, `corpus not found at ${dir}`);
} else {
  const files = readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();

  t.test('the walk gives the parser\'s packets and errors, any ring size', async (t) => {
    const differ: string[] = [];
    for (const name of files) {
      const file = path.join(dir, name);
      const want = readAll(readFileSync(file));
      for (const ringSlots of [4096, 2]) {
        const d = compare(await readSession(file, { ringSlots }), want);
        if (d) differ.push(`${name} (ringSlots ${ringSlots}): ${d}`);
      }
    }
    t.same(differ, [], `${files.length} files, read alike`);
  });

  t.test('filtered in the walk as libpcap filters', { skip: !have('tcpdump') && 'tcpdump not installed' }, async (t) => {
    const differ: string[] = [];
    let compared = 0;
    // Between them: absolute, indexed and MSH loads, ALU ops, scratch memory, jset.
    for (const filter of ['udp', 'tcp[13] & 2 != 0 or icmp', 'greater 200',
      'vlan or ip6 proto 58 or (len * 2 > 300 and ip[2:2] - ((ip[0] & 0xf) << 2) > 50)']) {
      for (const name of files) {
        if (BAD_USEC.has(name)) continue;
        const file = path.join(dir, name);
        const ours = await readSession(file, { filter });
        if (ours.error?.code === 'EFILTER') continue; // not for this link type: tcpdump refuses too
        const out = spawnSync('tcpdump', ['-r', file, '--time-stamp-precision=nano', '-w', '-', filter],
          { maxBuffer: 1 << 28 });
        if (out.status !== 0) continue; // libpcap cannot read or compile it; the test above covers reading
        const ref = readAll(out.stdout);
        // tcpdump's copy ends where the file did; ours also reports why.
        const d = compare({ packets: ours.packets, error: null }, { packets: ref.packets, error: null });
        if (d) differ.push(`${name} \`${filter}\`: ${d}`);
        compared++;
      }
    }
    t.ok(compared > 1000, `${compared} file × filter pairs compared`);
    t.same(differ, [], 'every filtered read as libpcap\'s');
  });
}
