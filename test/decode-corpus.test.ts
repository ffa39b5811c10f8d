/**
 * Every packet of the tcpdump project's 830 test captures
 * (../shared/corpus/tcpdump-tests), decoded with its file's link type:
 * never a throw, and the result's invariants hold (test/fixtures/decode/check.ts).
 * Real traffic of decades, deliberately malformed packets included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { decodeChecked } from './fixtures/decode/check';
import { readAll } from './fixtures/savefile/util';

const dir = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');

if (!existsSync(dir)) {
  if (process.env.CI === 'true') t.fail(`corpus not found at ${dir}`);
  else t.plan(0, `corpus not found at ${dir}`);
} else {
  t.test('every packet of every corpus file decodes without a throw', async (t) => {
    const files = readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();
    t.ok(files.length >= 800, `${files.length} captures`);
    let packets = 0;
    let errors = 0;
    let truncated = 0;
    const kinds = new Map<string, number>();
    const problems: string[] = [];
    for (const name of files) {
      // Savefile errors are the savefile tests' business: decode what was read.
      const { packets: pkts } = readAll(readFileSync(path.join(dir, name)));
      for (const [i, p] of pkts.entries()) {
        let r;
        try {
          r = decodeChecked(p.data, p.linktype);
        } catch (e) {
          problems.push(`${name} #${i + 1} (linktype ${p.linktype}): threw ${(e as Error).stack}`);
          continue;
        }
        packets++;
        if (r.problem) problems.push(`${name} #${i + 1}: ${r.problem}`);
        if (r.pkt.error) errors++;
        if (r.pkt.truncated) truncated++;
        for (const l of r.pkt.layers) kinds.set(l.kind, (kinds.get(l.kind) ?? 0) + 1);
      }
    }
    t.same(problems, [], 'no throws, no broken invariants');
    t.ok(packets > 10_000, `${packets} packets decoded`);
    t.comment(`${packets} packets: ${errors} stopped with an error, ${truncated} truncated`);
    t.comment([...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', '));
    // Every layer kind shows up somewhere in real traffic (SLL2 is not in
    // the corpus: decode-basic.test.ts and the tshark test cover it).
    for (const k of ['ethernet', 'vlan', 'arp', 'llc', 'snap', 'sll', 'null', 'radiotap', 'ieee80211',
      'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'igmp', 'dns', 'payload']) {
      t.ok((kinds.get(k) ?? 0) > 0, `some ${k} layers`);
    }
  });
}
