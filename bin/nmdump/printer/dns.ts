/**
 * DNS summaries, as tcpdump prints them without -vv:
 *   query:    22836+ [1au] A? www.tcpdump.org. (56)
 *   response: 22836*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)
 * (-v adds each answer's name.)
 */
import type { DnsLayer, DnsRecord } from '../../../index';
import type { PrintContext } from './context';
import { DNS_CLASS_NAMES, DNS_TYPE_NAMES } from './names';

const OPCODES = ['', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD',
  ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef'];
const RCODES = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet',
  ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange', ' BadVers', 'Resp17', ' Resp18',
  ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie'];
const OPT = 41;

const typeName = (t: number): string => DNS_TYPE_NAMES[t] ?? `Type${t}`;
const fqdn = (name: string): string => `${name}.`.replace(/^\.$/, '.');
const classText = (cls: number): string => (cls === 1 ? '' : ` ${DNS_CLASS_NAMES[cls] ?? `(Class ${cls})`}`);
/** mDNS uses the top bit of the class: unicast response wanted (questions), cache flush (records). */
const MDNS_BIT = 0x8000;

function rdataText(c: PrintContext, r: DnsRecord): string {
  const d = r.data;
  if (r.type === 1 || r.type === 28) return typeof d === 'string' ? ` ${d}` : '';
  if (typeof d === 'string') return ` ${fqdn(d)}`;
  if (d instanceof Uint8Array) return '';
  if (Array.isArray(d)) return (d as readonly string[]).map((t) => ` "${t}"`).join('');
  const f = d as Record<string, unknown>;
  if ('exchange' in f) return ` ${fqdn(String(f.exchange))} ${f.preference}`;
  if ('target' in f) return ` ${fqdn(String(f.target))}:${f.port} ${f.priority} ${f.weight}`;
  if ('mname' in f && c.o.verbose > 0) {
    return ` ${fqdn(String(f.mname))} ${fqdn(String(f.rname))} ${f.serial} ${f.refresh} ${f.retry} ${f.expire} ${f.minimum}`;
  }
  return '';
}

function recordText(c: PrintContext, r: DnsRecord, mdns: boolean): string {
  const name = c.o.verbose > 0 ? ` ${fqdn(r.name)}` : '';
  const cls = mdns ? r.class & ~MDNS_BIT : r.class;
  const flush = mdns && r.class & MDNS_BIT ? ' (Cache flush)' : '';
  return `${name}${r.type === OPT ? '' : classText(cls)}${flush} ${typeName(r.type)}${rdataText(c, r)}`;
}

function questionText(q: { type: number; class: number; name: string }, mdns: boolean): string {
  const cls = mdns ? q.class & ~MDNS_BIT : q.class;
  return ` ${typeName(q.type)}${classText(cls)}${mdns ? (q.class & MDNS_BIT ? ' (QU)' : ' (QM)') : ''}? ${fqdn(q.name)}`;
}

/** Where the name at `p` ends (-1: not captured, as tcpdump's ns_nskip). */
function skipName(b: Uint8Array, p: number): number {
  for (let n = 0; n < 128; n++) {
    if (p >= b.length) return -1;
    const len = b[p];
    if ((len & 0xc0) === 0xc0) return p + 2 <= b.length ? p + 2 : -1;
    if (len === 0) return p + 1;
    p += 1 + len;
  }
  return -1;
}

/** true if the first answer the decoder could not read was cut before its data (in its name or fixed fields). */
function cutBeforeData(b: Uint8Array, at: number, m: DnsLayer): boolean {
  let p = at + 12;
  for (let k = 0; k < m.qdcount; k++) {
    p = skipName(b, p);
    if (p < 0) return false;
    p += 4;
  }
  for (let k = 0; k < m.answers.length; k++) {
    p = skipName(b, p);
    if (p < 0 || p + 10 > b.length) return false;
    p += 10 + ((b[p + 8] << 8) | b[p + 9]);
  }
  p = skipName(b, p);
  return p < 0 || p + 10 > b.length;
}

/**
 * The DNS part of a UDP or TCP line; `length` is the message's length, `at`
 * where it starts. `m` is the decoded message, undefined if its header
 * could not be read. A message the decoder could not read to the end
 * prints up to the section that broke, then tcpdump's "[|domain]".
 */
export function dnsText(c: PrintContext, m: DnsLayer | undefined, at: number, length: number, mdns: boolean): string {
  if (length < 12) return `domain [length ${length} < 12] (invalid)`;
  if (!m) return ' [|domain]';
  const opt = m.additionals.find((r) => r.type === OPT);
  // The OPT record's TTL carries the upper bits of the response code.
  const rcode = m.rcode | (opt ? (opt.ttl >>> 24) << 4 : 0);
  let s: string;
  if (m.qr) {
    s = `${m.id}${OPCODES[m.opcode]}${RCODES[rcode] ?? ` Resp${rcode & 0xfff}`}${m.aa ? '*' : ''}${m.ra ? '' : '-'}`
      + `${m.tc ? '|' : ''}${m.ad ? '$' : ''}`;
    if (m.qdcount !== 1) s += ` [${m.qdcount}q]`;
    if (m.questions.length < m.qdcount) return `${s} [|domain]`;
    s += ` ${m.ancount}/${m.nscount}/${m.arcount}`;
    s += m.answers.map((r) => recordText(c, r, mdns)).join(',');
    if (m.answers.length < m.ancount) {
      // tcpdump prints nothing for an answer whose name or fixed fields were not
      // captured, and stops there; only a cut in its data, or answers left after it, is "[|domain]".
      const quiet = m.answers.length + 1 === m.ancount && c.o.verbose === 0 && cutBeforeData(c.bytes, at, m);
      if (!quiet) return `${s} [|domain]`;
    }
  } else {
    s = `${m.id}${OPCODES[m.opcode]}${m.rd ? '+' : ''}${m.cd ? '%' : ''}`;
    if (m.flags & 0x6cf) s += ` [b2&3=0x${m.flags.toString(16)}]`;
    if (m.opcode === 1) {
      if (m.qdcount) s += ` [${m.qdcount}q]`;
      if (m.ancount !== 1) s += ` [${m.ancount}a]`;
    } else {
      if (m.ancount) s += ` [${m.ancount}a]`;
      if (m.qdcount !== 1) s += ` [${m.qdcount}q]`;
    }
    if (m.nscount) s += ` [${m.nscount}n]`;
    if (m.arcount) s += ` [${m.arcount}au]`;
    s += m.questions.map((q) => questionText(q, mdns)).join('');
    if (m.questions.length < m.qdcount) return `${s} [|domain]`;
  }
  return `${s} (${length})`;
}
