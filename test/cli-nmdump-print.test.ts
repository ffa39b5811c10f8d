// nmdump -r's output against tcpdump -r's, packet by packet. Generated
// captures of every protocol nmdump prints (test/fixtures/nmdump-protocols.ts,
// one group per protocol, whole and cut to a 60-byte snapshot) under each
// flag set must match line for line in at least 95% of tcpdump's lines,
// with no allow-list; corpus files must match except where
// KNOWN_DIFFERENCES lists a difference (docs/nmdump.md says the same).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t, { Test } from 'tap';
import { openOffline } from '../index';
import { parseOptions } from '../bin/nmdump/options';
import { Printer } from '../bin/nmdump/printer/index';
import { protocolCaptures, writeFrames, writeProtocolCapture } from './fixtures/nmdump-protocols';
import { corpusDir } from '../bench/pcap-corpus';
import { haveTcpdump, runNmdump } from './helpers/nmdump';

const CORPUS = corpusDir() ?? path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');

/** tcpdump output nmdump does not reproduce, matched against tcpdump's text for one packet. */
export const KNOWN_DIFFERENCES: { pattern: RegExp; why: string }[] = [
];

/** One record per packet: its first line and the continuation lines (tab or space indented). */
function records(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (/^[\t ]/.test(line) && out.length > 0 && !/^ [-\d]/.test(line)) out[out.length - 1] += `\n${line}`;
    else out.push(line);
  }
  return out;
}

function tcpdump(file: string, flags: string[]): string {
  return execFileSync('tcpdump', [...flags, '-r', file], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20,
  });
}

const FLAG_SETS = [['-n'], ['-nn', '-e', '-tt'], ['-n', '-v']];
const DUMP_AND_TIME = [['-n', '-x'], ['-n', '-xx'], ['-n', '-X'], ['-n', '-XX'], ['-n', '-A'], ['-n', '-t'],
  ['-n', '-ttt'], ['-n', '-tttt'], ['-n', '-ttttt'], ['-n', '-q'], ['-n', '-tt', '--time-stamp-precision=nano'],
  ['-n', '-e', '-ttt', '--time-stamp-precision=nano']];
const CORPUS_FILES = ['dns_udp.pcap', 'dns_tcp.pcap', 'tcp-handshake-nano.pcap', '802.1ad_QinQ.pcap', 'icmpv6.pcap',
  'icmpv6-ns-nonce.pcap', 'dnssec.pcap', 'edns-opts.pcap', 'dns-badvers.pcap', 'LINKTYPE_IPV4.pcap',
  'LINKTYPE_RAW_ipv6.pcap', 'icmp-rfc8335.pcap', 'gso-ipv4.pcap', 'gso-ipv6.pcap', 'arp-too-long-tha.pcap',
  'tcp_eight_lowest_weight_flags_set.pcap', 'IGMP_V1.pcap', 'IGMP_V2.pcap', 'quic_handshake.pcap', 'dns-badcookie.pcap', 'pb_nhrp_1.pcap',
  // -v details: router advertisement options, jumbograms (valid, cut short, missing, repeated), IPv4 options cut short.
  'icmpv6_opt24.pcap', 'ipv6_jumbogram_1.pcap', 'bigtcp-ipv6-hbh.pcap', 'ipv6-too-long-jumbo.pcap',
  'ipv6_missing_jumbo_payload_option.pcap', 'ipv6_jumbogram_invalid_length.pcap', 'extract_read2_asan.pcap'];

async function compare(t: Test, file: string, flags: string[]): Promise<void> {
  const theirs = records(tcpdump(file, flags));
  const r = await runNmdump([...flags, '-r', file]);
  t.equal(r.code, 0, `${path.basename(file)} ${flags.join(' ')}: exit 0`);
  const ours = records(r.stdout.toString());
  t.equal(ours.length, theirs.length, `${path.basename(file)} ${flags.join(' ')}: as many packets as tcpdump`);
  let same = 0;
  const known = new Map<string, number>();
  for (let i = 0; i < theirs.length; i++) {
    if (ours[i] === theirs[i]) {
      same++;
      continue;
    }
    const listed = KNOWN_DIFFERENCES.find((k) => k.pattern.test(theirs[i]));
    if (listed) known.set(listed.why, (known.get(listed.why) ?? 0) + 1);
    else t.fail(`${path.basename(file)} ${flags.join(' ')}, packet ${i + 1} differs`, { tcpdump: theirs[i], nmdump: ours[i] });
  }
  t.pass(`${path.basename(file)} ${flags.join(' ')}: ${same} of ${theirs.length} identical`
    + (known.size ? `; known differences: ${[...known].map(([w, n]) => `${n}× ${w}`).join('; ')}` : ''));
}

t.test('a capture of every printed protocol, line by line against tcpdump', async (t) => {
  if (!haveTcpdump()) return t.plan(0, 'skip: tcpdump is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-print-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'protocols.pcap');
  await writeProtocolCapture(file);
  // The fixture really holds what the comparison claims to cover.
  const plain = tcpdump(file, ['-n', '-e']);
  for (const what of ['ARP, Request', 'Reply', 'ICMP echo request', 'udp port 9 unreachable', 'Flags [S]', 'Flags [S.]',
    'options [mss 1460', 'UDP, length', 'A? bench.test.', 'CNAME www.bench.test.', 'AAAA?', 'vlan 100',
    'ethertype IPv6', 'ICMP6, echo request', 'neighbor solicitation', 'neighbor advertisement', 'ethertype Unknown']) {
    t.ok(plain.includes(what) || tcpdump(file, ['-n']).includes(what), `the capture holds "${what}"`);
  }
  for (const flags of [...FLAG_SETS, ...DUMP_AND_TIME]) await compare(t, file, flags);
});

/** The flag sets every protocol capture is compared under (-n throughout: tcpdump would look names up otherwise). */
const PROTOCOL_FLAG_SETS = [['-n'], ['-n', '-v'], ['-n', '-e'], ['-n', '-q'], ['-n', '-x'], ['-n', '-X'], ['-nn', '-e', '-tt']];

t.test('captures of each protocol under each flag set: at least 95% of tcpdump\'s lines identical', async (t) => {
  if (!haveTcpdump()) return t.plan(0, 'skip: tcpdump is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-protocols-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const groups = Object.entries(protocolCaptures());
  // One file holds every group in order (packet i belongs to the group owning index i); a
  // second holds the DNS, TCP and IPv6 groups cut to a 60-byte snapshot, for tcpdump's
  // "[|proto]" forms (the cut forms of the other protocols are not matched yet).
  const CUT = new Set(['dns', 'tcp', 'ipv6']);
  const owners = {
    whole: groups.flatMap(([name, frames]) => frames.map(() => name)),
    cut: groups.filter(([name]) => CUT.has(name)).flatMap(([name, frames]) => frames.map(() => `${name} (cut)`)),
  };
  const files = { whole: path.join(dir, 'protocols.pcap'), cut: path.join(dir, 'protocols-60.pcap') };
  await writeFrames(files.whole, groups.flatMap(([, f]) => f));
  await writeFrames(files.cut, groups.filter(([name]) => CUT.has(name)).flatMap(([, f]) => f), 60);
  for (const flags of PROTOCOL_FLAG_SETS) {
    const perGroup = new Map<string, { lines: number; same: number }>();
    let lines = 0;
    let same = 0;
    for (const [kind, file] of Object.entries(files)) {
      const theirs = records(tcpdump(file, flags));
      const r = await runNmdump([...flags, '-r', file]);
      t.equal(r.code, 0, `${kind} ${flags.join(' ')}: exit 0`);
      const ours = records(r.stdout.toString());
      t.equal(ours.length, theirs.length, `${kind} ${flags.join(' ')}: as many packets as tcpdump`);
      const owner = owners[kind as keyof typeof owners];
      theirs.forEach((text, i) => {
        const group = owner[Math.min(i, owner.length - 1)];
        const g = perGroup.get(group) ?? { lines: 0, same: 0 };
        perGroup.set(group, g);
        const mine = (ours[i] ?? '').split('\n');
        text.split('\n').forEach((line, k) => {
          g.lines++;
          lines++;
          if (mine[k] === line) { g.same++; same++; }
        });
        if (text !== ours[i]) t.comment(`${kind} ${flags.join(' ')} packet ${i + 1} (${group}) differs:\n  tcpdump: ${text}\n  nmdump:  ${ours[i]}`);
      });
    }
    const share = same / lines;
    t.ok(share >= 0.95, `${flags.join(' ')}: ${same} of ${lines} lines identical (${(100 * share).toFixed(1)}%): `
      + [...perGroup].map(([g, x]) => `${g} ${x.same}/${x.lines}`).join(', '));
  }
  // The capture really holds what it claims to cover.
  const plain = tcpdump(files.whole, ['-n', '-e', '-v']);
  for (const what of ['HBH', 'RT6 (len=', 'frag (', 'DSTOPT', 'no next header', 'redirect 198.18.0.2 to host', 'router advertisement',
    'multicast listener report v2', 'igmp v3 report', 'GREv0', 'VXLAN', 'Geneve', 'MPLS (label', 'LLDP', 'CDPv2', 'STP 802.1w',
    'BOOTP/DHCP', 'NTPv4', 'GetResponse', 'SYSLOG', ': HTTP', '(QU)?', 'domain [length 8 < 12] (invalid)', '[|domain]',
    '802.1Q-QinQ', 'RR 198.18.0.1', 'Flags [SEW]', 'sack 1', 'SSRR 198.18.0.3,', 'options (security', 'options (unknown 25',
    '(opt_type 0x3e: len=2)', '(jumbo: 8 - < 65536)', '(jumbo: 70000)', 'dnssl option', 'route info option',
    'homeagent information option', 'advertisement interval option', 'unknown option (99)',
    'unreachable, length 36\n\t(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 40)']) {
    t.ok(plain.includes(what) || tcpdump(files.cut, ['-n']).includes(what), `the captures hold "${what}"`);
  }
});

t.test('corpus captures, line by line against tcpdump', async (t) => {
  if (!haveTcpdump()) return t.plan(0, 'skip: tcpdump is not installed');
  if (!existsSync(CORPUS)) {
    if (process.env.CI === 'true') t.fail(`the corpus is missing at ${CORPUS}`);
    return t.plan(0, 'skip: no corpus');
  }
  for (const name of CORPUS_FILES) {
    for (const flags of FLAG_SETS) await compare(t, path.join(CORPUS, name), flags);
  }
});

t.test('every corpus file prints without an exception', async (t) => {
  if (!existsSync(CORPUS)) return t.plan(0, 'skip: no corpus');
  const printers = [['-n'], ['-n', '-e', '-v', '-X']].map((f) => parseOptions([...f, '-r', 'x']));
  let packets = 0;
  let files = 0;
  for (const name of readdirSync(CORPUS).filter((n) => /\.pcap(ng)?$/.test(n))) {
    let s;
    try {
      s = await openOffline(path.join(CORPUS, name));
    } catch {
      continue; // a file the reader refuses (tested in savefile-corpus)
    }
    files++;
    const ps = printers.map((o) => new Printer(o));
    try {
      for await (const p of s.packets()) {
        for (const printer of ps) {
          const line = printer.format(p.data, p, p.linktype);
          if (line.includes('[nmdump: cannot print')) t.fail(`${name}: ${line}`);
        }
        packets++;
      }
    } catch (e) {
      if (!(e instanceof Error && 'code' in e)) t.fail(`${name}: ${(e as Error).stack}`);
    } finally {
      s.close();
    }
  }
  t.ok(files > 700, `${files} files read`);
  t.pass(`${packets} packets printed twice each`);
});
