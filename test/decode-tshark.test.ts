/**
 * Field-by-field comparison with tshark: the same packets decoded by us and
 * by `tshark -T fields` (fields listed in test/fixtures/decode/tshark-fields.ts),
 * on corpus captures chosen per protocol and on our hand-built seeds of the
 * rare ones (one pcap per link type), concatenated by mergecap into one
 * pcapng so that tshark runs once.
 *
 * A field is compared where both sides have it; where tshark decodes more
 * (tunnels, the IP packet quoted in ICMP errors) our occurrences are matched
 * against its first ones. Every field in the table must be compared at
 * least once, so a wrong mapping cannot pass silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { decodePacket } from '../lib/decode/packet';
import { seedFrames } from './fixtures/decode/seeds';
import { FIELDS } from './fixtures/decode/tshark-fields';
import { have, pcapHeader, pcapRecord, readAll } from './fixtures/savefile/util';

const dir = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');

/** Corpus files per protocol (what each is there for). */
const CORPUS = [
  'afs.pcap', // IPv4, UDP, ICMP
  'mptcp-v0.pcap', 'mptcp-v1.pcap', 'mptcp-aa-v1.pcap', // TCP options, MPTCP (v1 on SLL)
  'tfo-5c1fa7f9ae91.pcap', 'accecn_handshake.pcap', 'ssh.pcap', 'tcp-handshake-nano.pcap',
  '802.1ad_QinQ.pcap', 'rpvstp-trunk-native-vid5.pcap', 'various_gre.pcap', // VLAN, QinQ, LLC, SNAP
  '802.1w_rapid_STP.pcap', 'UDLD.pcap', 'LLDP_and_CDP.pcap',
  'bgp-4byte-asn.pcap', 'dhcp-rfc4388.pcap', // ARP
  'IGMP_V1.pcap', 'IGMP_V2.pcap', 'igmpv3-queries.pcap', 'mtrace.pcap',
  'edns-opts.pcap', 'dnssec.pcap', 'dns_tcp.pcap', 'dns-uri.pcap', 'dns_udp.pcap', 'dns-badcookie.pcap',
  'icmp-rfc8335.pcap', 'icmpv6.pcap', 'icmpv6-ra-pref64.pcap', 'icmpv6-ns-nonce.pcap', 'icmpv6_opt24.pcap',
  'ipv6-routing-header.pcap', 'ipv6-srh-ext-header.pcap', 'OSPFv3_with_AH.pcap', 'babel.pcap',
  'quic_vn.pcap', 'icmpv6-RFC2894-RR.pcap', // NULL
  'LINKTYPE_IPV4.pcap', 'LINKTYPE_IPV6.pcap', 'LINKTYPE_RAW_ipv4.pcap', 'LINKTYPE_RAW_ipv6.pcap',
  'ieee802.11_exthdr.pcap', 'ieee802.11_meshid.pcap', 'ieee802.11_rx-stbc.pcap', 'ieee802.11_htc.pcap', 'reason_code-0.pcap',
];

const SEP = '\u001f';
/** tshark fills only the last of repeated -e columns: each field once, specs share columns. */
const COLUMNS = [...new Set(FIELDS.map((s) => s.field))];

/** One value as comparable text: numbers (decimal or 0x hex) as numbers, booleans as 0/1. */
function norm(v: unknown): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  const s = String(v);
  if (/^0x[0-9a-f]+$/i.test(s)) return String(Number.parseInt(s, 16));
  if (/^-?\d+(\.\d+)?$/.test(s)) return String(Number(s));
  if (s === 'True') return '1';
  if (s === 'False') return '0';
  if (s === '<Root>') return '';
  return s.toLowerCase();
}

interface Tally { compared: Map<string, number>; mismatches: string[] }

function compareFile(file: string, tally: Tally): number {
  const { packets } = readAll(readFileSync(file));
  const args = ['-r', file, '-n', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields',
    '-E', `separator=${SEP}`, '-E', 'occurrence=a', '-E', 'aggregator=\u001e', '-E', 'quote=n',
    '-e', 'frame.number', ...COLUMNS.flatMap((c) => ['-e', c])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tshark on ${file} exited ${r.status}: ${r.stderr}`);
  const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(SEP));
  if (rows.length !== packets.length) throw new Error(`${file}: tshark read ${rows.length} packets, we read ${packets.length}`);
  for (const [i, p] of packets.entries()) {
    const pkt = decodePacket(p.data, p.linktype);
    const row = rows[i];
    for (const spec of FIELDS) {
      const cell = row[COLUMNS.indexOf(spec.field) + 1];
      const theirs = cell === '' ? [] : cell.split('\u001e');
      if (theirs.length === 0) continue;
      const ours: unknown[] = [];
      for (const l of pkt.layers) {
        if (l.kind !== spec.kind) continue;
        const v = spec.get(l as never);
        if (Array.isArray(v)) ours.push(...v);
        else if (v !== undefined) ours.push(v);
      }
      const n = Math.min(ours.length, theirs.length);
      for (let j = 0; j < n; j++) {
        if (norm(ours[j]) === norm(theirs[j])) continue;
        tally.mismatches.push(`${path.basename(file)} #${i + 1} ${spec.field}[${j}]: ours ${norm(ours[j])}, tshark ${theirs[j]}`);
      }
      if (n > 0) tally.compared.set(spec.field + '/' + spec.kind, (tally.compared.get(spec.field + '/' + spec.kind) ?? 0) + n);
    }
  }
  return packets.length;
}

if (!have('tshark') || !have('mergecap')) {
  if (process.env.CI === 'true') t.fail('tshark / mergecap are not installed (Debian: apt-get install tshark)');
  else t.plan(0, 'tshark is not installed');
} else {
  t.test('every field agrees with tshark, and every field was compared', async (t) => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'decode-tshark-'));
    t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
    // Hand-built seeds: one pcap per link type.
    const byLinktype = new Map<number, Buffer[]>();
    for (const s of seedFrames()) byLinktype.set(s.linktype, [...(byLinktype.get(s.linktype) ?? []), s.data]);
    const inputs: string[] = [];
    for (const [linktype, frames] of byLinktype) {
      const file = path.join(tmp, `seeds-${linktype}.pcap`);
      writeFileSync(file, Buffer.concat([pcapHeader({ linktype }), ...frames.map((f) => pcapRecord(f))]));
      inputs.push(file);
    }
    if (existsSync(dir)) inputs.push(...CORPUS.map((n) => path.join(dir, n)));
    else if (process.env.CI === 'true') t.fail(`corpus not found at ${dir}`);
    // One tshark run (its start-up dominates): everything concatenated into
    // one pcapng, an interface per input, packets in input order.
    const all = path.join(tmp, 'all.pcapng');
    const m = spawnSync('mergecap', ['-a', '-w', all, ...inputs], { encoding: 'utf8' });
    t.equal(m.status, 0, `mergecap: ${m.stderr}`);
    const tally: Tally = { compared: new Map(), mismatches: [] };
    const n = compareFile(all, tally);
    t.ok(n > 1000, `${n} packets from ${inputs.length} captures`);
    t.same(tally.mismatches.slice(0, 50), [], `${tally.mismatches.length} mismatches`);
    const total = [...tally.compared.values()].reduce((a, b) => a + b, 0);
    t.comment(`${total} field values compared over ${tally.compared.size} fields`);
    for (const s of FIELDS) t.ok(tally.compared.get(s.field + '/' + s.kind), `${s.field} (${s.kind}) compared ${tally.compared.get(s.field + '/' + s.kind) ?? 0} times`);
  });
}
