/**
 * How much of tcpdump's output nmdump reproduces on tcpdump's own test
 * corpus (../shared/corpus/tcpdump-tests), per protocol family: every file
 * is printed by `tcpdump -n -r FILE` and by nmdump's printer (in process,
 * with the same flags), packet by packet, and each tcpdump line counts as
 * identical if nmdump printed the same line for that packet.
 *
 *   node dist/bench/nmdump-corpus.js [--out FILE.md] [--show FAMILY[,N]] [-- FLAGS...]
 *
 * --out writes the Markdown table; --show prints N differing packets of a
 * family (tcpdump's text, then nmdump's). A report, not a test: the
 * numbers go into docs/nmdump.md.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePacket, linkTypeName, openOffline } from '../index';
import type { Layer } from '../index';
import { parseOptions } from '../bin/nmdump/options';
import { Printer } from '../bin/nmdump/printer/index';
import { corpusDir } from './pcap-corpus';

process.env.TZ = 'UTC';

/** One record per packet: its first line and its continuation lines (as the comparison test splits them). */
export function packetRecords(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (/^[\t ]/.test(line) && out.length > 0 && !/^ [-\d]/.test(line)) out[out.length - 1].push(line);
    else out.push([line]);
  }
  return out;
}

/** Application protocols by well-known UDP/TCP port, as families. */
const PORT_FAMILIES: Record<number, string> = {
  53: 'DNS', 5353: 'mDNS', 67: 'DHCP/BOOTP', 68: 'DHCP/BOOTP', 547: 'DHCPv6', 546: 'DHCPv6', 123: 'NTP',
  80: 'HTTP', 8080: 'HTTP', 161: 'SNMP', 162: 'SNMP', 514: 'syslog', 1900: 'SSDP', 4789: 'VXLAN', 6081: 'Geneve',
  443: 'TLS/QUIC', 179: 'BGP', 500: 'ISAKMP', 4500: 'ISAKMP', 1812: 'RADIUS', 1813: 'RADIUS', 520: 'RIP', 521: 'RIP',
  69: 'TFTP', 137: 'NetBIOS/SMB', 138: 'NetBIOS/SMB', 139: 'NetBIOS/SMB', 445: 'NetBIOS/SMB', 5060: 'SIP',
  88: 'Kerberos', 111: 'RPC/NFS', 2049: 'RPC/NFS', 389: 'LDAP', 646: 'LDP', 1701: 'L2TP', 3784: 'BFD',
  4784: 'BFD', 3785: 'BFD', 6633: 'OpenFlow', 6653: 'OpenFlow', 2152: 'GTP', 2123: 'GTP', 21: 'FTP', 23: 'telnet',
  22: 'SSH', 25: 'SMTP', 110: 'POP/IMAP', 143: 'POP/IMAP', 1723: 'PPTP', 319: 'PTP', 320: 'PTP',
};

const IP_FAMILIES: Record<number, string> = {
  1: 'ICMP', 58: 'ICMPv6', 2: 'IGMP', 47: 'GRE', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP', 50: 'ESP/AH',
  51: 'ESP/AH', 4: 'IP-in-IP', 41: 'IP-in-IP', 88: 'EIGRP', 46: 'RSVP', 33: 'DCCP', 59: 'IPv6 no next header',
};

const ETHER_FAMILIES: Record<number, string> = {
  0x88cc: 'LLDP', 0x8847: 'MPLS', 0x8848: 'MPLS', 0x8863: 'PPPoE', 0x8864: 'PPPoE', 0x888e: 'EAPOL',
  0x8809: 'Slow protocols (LACP)', 0x8902: 'CFM', 0x88f7: 'PTP',
};

function portFamily(sport: number, dport: number, transport: string): string {
  return PORT_FAMILIES[Math.min(sport, dport)] ?? PORT_FAMILIES[dport] ?? PORT_FAMILIES[sport] ?? `${transport} (other ports)`;
}

/** The protocol family a packet counts under: the innermost protocol the decoders and the port tables name. */
export function familyOf(bytes: Uint8Array, linktype: number): string {
  const layers: Layer[] = decodePacket(bytes, linktype).layers;
  const first = layers[0];
  if (!first || first.kind === 'payload') return `link type ${linkTypeName(linktype)}`;
  let family = '';
  for (const l of layers) {
    switch (l.kind) {
      case 'ethernet': family = ETHER_FAMILIES[l.type] ?? (l.type <= 1500 ? 'LLC (STP, CDP, …)' : `other EtherType`); break;
      case 'vlan': family = ETHER_FAMILIES[l.type] ?? (l.type <= 1500 ? 'LLC (STP, CDP, …)' : 'other EtherType'); break;
      case 'sll': case 'sll2': family = ETHER_FAMILIES[l.protocol] ?? 'other EtherType'; break;
      case 'arp': return 'ARP';
      case 'ipv4': family = IP_FAMILIES[l.protocol] ?? `IP protocol ${l.protocol}`; break;
      case 'ipv6':
        if (l.extensions.length > 0 || l.protocol === 59) return 'IPv6 extension headers';
        family = IP_FAMILIES[l.protocol] ?? `IP protocol ${l.protocol}`;
        break;
      case 'tcp': return portFamily(l.srcPort, l.dstPort, 'TCP');
      case 'udp': return portFamily(l.srcPort, l.dstPort, 'UDP');
      case 'icmp': case 'icmpv6': case 'igmp': return family;
      case 'radiotap': case 'ieee80211': return '802.11';
      default: break;
    }
  }
  return family || `link type ${linkTypeName(linktype)}`;
}

interface Tally { packets: number; lines: number; same: number }

function tcpdumpText(file: string, flags: string[]): string {
  try {
    return execFileSync('tcpdump', [...flags, '-r', file], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, TZ: 'UTC' }, maxBuffer: 256 << 20,
    });
  } catch (e) {
    // tcpdump ends with an error on a truncated file after printing what it read.
    return String((e as { stdout?: string }).stdout ?? '');
  }
}

async function nmdumpRecords(file: string, flags: string[]): Promise<{ records: string[][]; families: string[] }> {
  const printer = new Printer(parseOptions([...flags, '-r', file]));
  const records: string[][] = [];
  const families: string[] = [];
  let s;
  try {
    s = await openOffline(file);
  } catch {
    return { records, families };
  }
  try {
    for await (const p of s.packets()) {
      records.push(...packetRecords(printer.format(p.data, p, p.linktype)));
      families.push(familyOf(p.data.subarray(0, p.caplen), p.linktype));
    }
  } catch {
    // a truncated or corrupt file: keep what was read before the error
  } finally {
    s.close();
  }
  return { records, families };
}

export interface CorpusReport {
  families: Map<string, Tally>;
  total: Tally;
  files: number;
}

/** Compare every corpus file; `show` collects differing packets of one family. */
export async function compareCorpus(dir: string, flags: string[], show?: { family: string; n: number; out: string[] }): Promise<CorpusReport> {
  const families = new Map<string, Tally>();
  const total: Tally = { packets: 0, lines: 0, same: 0 };
  const names = readdirSync(dir).filter((n) => /\.pcap(ng)?$/.test(n)).sort();
  for (const name of names) {
    const file = join(dir, name);
    const theirs = packetRecords(tcpdumpText(file, flags));
    const ours = await nmdumpRecords(file, flags);
    for (let i = 0; i < theirs.length; i++) {
      const family = ours.families[i] ?? 'unread by nmdump';
      const t = families.get(family) ?? { packets: 0, lines: 0, same: 0 };
      families.set(family, t);
      const mine = ours.records[i] ?? [];
      let same = 0;
      theirs[i].forEach((line, k) => { if (mine[k] === line) same++; });
      for (const x of [t, total]) { x.packets++; x.lines += theirs[i].length; x.same += same; }
      if (show && family === show.family && same < theirs[i].length && show.out.length < show.n) {
        show.out.push(`${name} #${i + 1}\n  tcpdump: ${theirs[i].join('\n           ')}\n  nmdump:  ${mine.join('\n           ')}`);
      }
    }
  }
  return { families, total, files: names.length };
}

const pct = (t: Tally): string => `${t.lines ? ((100 * t.same) / t.lines).toFixed(1) : '0.0'}%`;

/** The report as a Markdown table, the families with the most differing lines first. */
export function reportTable(r: CorpusReport, flags: string[]): string {
  const rows = [...r.families].sort((a, b) => (b[1].lines - b[1].same) - (a[1].lines - a[1].same) || a[0].localeCompare(b[0]));
  let s = `\`tcpdump ${flags.join(' ')} -r\` against \`nmdump ${flags.join(' ')} -r\` over ${r.files} corpus files: `
    + `${r.total.same} of ${r.total.lines} lines identical (${pct(r.total)}).\n\n`
    + '| family | packets | tcpdump lines | identical | share |\n|---|---:|---:|---:|---:|\n';
  for (const [family, t] of rows) s += `| ${family} | ${t.packets} | ${t.lines} | ${t.same} | ${pct(t)} |\n`;
  return s;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dash = args.indexOf('--');
  const flags = dash >= 0 ? args.slice(dash + 1) : ['-n'];
  const opts = dash >= 0 ? args.slice(0, dash) : args;
  const outAt = opts.indexOf('--out');
  const showAt = opts.indexOf('--show');
  const dir = corpusDir();
  if (!dir) throw new Error('no corpus: ../shared/corpus/tcpdump-tests is missing');
  const show = showAt >= 0 ? { family: opts[showAt + 1].split(',')[0], n: Number(opts[showAt + 1].split(',')[1] ?? 20), out: [] as string[] } : undefined;
  const report = await compareCorpus(dir, flags, show);
  const table = reportTable(report, flags);
  if (outAt >= 0) writeFileSync(opts[outAt + 1], table);
  process.stdout.write(show ? `${show.out.join('\n')}\n` : table);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
