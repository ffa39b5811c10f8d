/**
 * DNS messages (RFC 1035) over UDP and TCP (with its 2-byte length prefix):
 * header, questions and resource records, names with compression pointers
 * followed safely (bounded jumps, bounded length).
 */
import { formatIPv4, formatIPv6 } from './format';
import { copy, DecodeState, fail, fits, P, u16, u32 } from './state';

export interface DnsQuestion {
  /** Dotted name without the final dot; '' is the root. */
  readonly name: string;
  readonly type: number;
  /** The class field as on the wire (mDNS puts its unicast-response bit in bit 15). */
  readonly class: number;
}

/** Decoded RDATA: for A/AAAA the address, for NS/CNAME/PTR/DNAME the name, else a record of fields or the raw bytes. */
export type DnsRData =
  | string
  | readonly string[] // TXT: the character strings
  | { readonly preference: number; readonly exchange: string } // MX
  | { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string } // SRV
  | { readonly mname: string; readonly rname: string; readonly serial: number; readonly refresh: number;
    readonly retry: number; readonly expire: number; readonly minimum: number } // SOA
  | Uint8Array;

export interface DnsRecord extends DnsQuestion {
  readonly ttl: number;
  readonly rdlength: number;
  readonly data: DnsRData;
}

export interface DnsLayer {
  readonly kind: 'dns';
  readonly offset: number;
  /** Bytes of the message decoded (TCP: the length prefix included). */
  readonly length: number;
  /** TCP only: the length prefix. */
  readonly tcpLength?: number;
  readonly id: number;
  /** The 16-bit flags word; the fields below split it. */
  readonly flags: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly z: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  readonly questions: DnsQuestion[];
  readonly answers: DnsRecord[];
  readonly authorities: DnsRecord[];
  readonly additionals: DnsRecord[];
}

export const DNS_TYPE = Object.freeze({
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, OPT: 41,
});

/** Names longer than this (RFC 1035: 255) are malformed. */
const MAX_NAME = 255;
/** Compression pointers followed per name, at most. */
const MAX_JUMPS = 64;

class DnsError extends Error {}

export function decodeDnsUdp(s: DecodeState): void {
  decodeDns(s, s.off, undefined);
}

export function decodeDnsTcp(s: DecodeState): void {
  if (!fits(s, 2, 'dns')) return;
  const prefix = u16(s.data, s.off);
  decodeDns(s, s.off + 2, prefix);
}

function decodeDns(s: DecodeState, m: number, tcpLength: number | undefined): void {
  const start = s.off;
  s.off = m;
  if (!fits(s, 12, 'dns')) return;
  const d = s.data;
  let end = s.end;
  if (tcpLength !== undefined) {
    if (m + tcpLength <= end) end = m + tcpLength;
    else if (end >= d.length) s.truncated = true;
  }
  const flags = u16(d, m + 2);
  const l = {
    kind: 'dns' as const, offset: start, length: 12 + (m - start), id: u16(d, m), flags,
    qr: (flags & 0x8000) !== 0, opcode: (flags >>> 11) & 15, aa: (flags & 0x400) !== 0, tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0, ra: (flags & 0x80) !== 0, z: (flags & 0x40) !== 0, ad: (flags & 0x20) !== 0,
    cd: (flags & 0x10) !== 0, rcode: flags & 15,
    qdcount: u16(d, m + 4), ancount: u16(d, m + 6), nscount: u16(d, m + 8), arcount: u16(d, m + 10),
    questions: [] as DnsQuestion[], answers: [] as DnsRecord[], authorities: [] as DnsRecord[], additionals: [] as DnsRecord[],
  };
  if (tcpLength !== undefined) (l as { tcpLength?: number }).tcpLength = tcpLength;
  s.layers.push(l);
  const r = new Reader(d, m, end);
  r.at = m + 12;
  try {
    for (let i = 0; i < l.qdcount; i++) l.questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
    for (let i = 0; i < l.ancount; i++) l.answers.push(r.record());
    for (let i = 0; i < l.nscount; i++) l.authorities.push(r.record());
    for (let i = 0; i < l.arcount; i++) l.additionals.push(r.record());
  } catch (e) {
    if (!(e instanceof DnsError)) throw e;
    if (r.cut) s.truncated = true;
    return fail(s, `dns: ${e.message}`);
  } finally {
    l.length = r.at - start;
  }
  s.off = r.at;
  s.next = P.PAYLOAD;
}

/** Reads a message bounded by [msg, end), throwing DnsError at the first malformed or missing byte. */
class Reader {
  at = 0;
  /** true when the error was running out of captured bytes. */
  cut = false;
  constructor(private readonly d: Uint8Array, private readonly msg: number, private readonly end: number) {}

  need(n: number, what: string, at = this.at): void {
    if (at + n > this.end) {
      this.cut = this.end >= this.d.length;
      throw new DnsError(`${what} needs ${n} bytes at offset ${at}, ${Math.max(0, this.end - at)} left`);
    }
  }

  u16(): number { this.need(2, 'a 16-bit field'); const v = u16(this.d, this.at); this.at += 2; return v; }
  u32(): number { this.need(4, 'a 32-bit field'); const v = u32(this.d, this.at); this.at += 4; return v; }

  /** A possibly compressed name at `at`; moves `at` past it. */
  name(): string {
    const d = this.d;
    let p = this.at;
    let after = -1;
    let jumps = 0;
    let out = '';
    let wire = 1;
    for (;;) {
      this.need(1, 'a name label', p);
      const len = d[p];
      if (len === 0) { p++; break; }
      const top = len & 0xc0;
      if (top === 0xc0) {
        this.need(2, 'a compression pointer', p);
        if (++jumps > MAX_JUMPS) throw new DnsError(`name at offset ${this.at}: more than ${MAX_JUMPS} compression pointers (a loop)`);
        if (after < 0) after = p + 2;
        const target = this.msg + (((len & 0x3f) << 8) | d[p + 1]);
        if (target >= this.end) throw new DnsError(`compression pointer at offset ${p} points past the message`);
        p = target;
        continue;
      }
      if (top !== 0) throw new DnsError(`label type 0x${top.toString(16)} at offset ${p} is not supported`);
      this.need(1 + len, 'a name label', p);
      wire += 1 + len;
      if (wire > MAX_NAME) throw new DnsError(`name at offset ${this.at} is longer than ${MAX_NAME} bytes`);
      out += (out === '' ? '' : '.') + label(d, p + 1, p + 1 + len);
      p += 1 + len;
    }
    this.at = after >= 0 ? after : p;
    return out;
  }

  record(): DnsRecord {
    const name = this.name();
    const type = this.u16();
    const cls = this.u16();
    const ttl = this.u32();
    const rdlength = this.u16();
    this.need(rdlength, 'rdata');
    const from = this.at;
    const data = this.rdata(type, from, from + rdlength);
    this.at = from + rdlength;
    return { name, type, class: cls, ttl, rdlength, data };
  }

  private rdata(type: number, from: number, to: number): DnsRData {
    const d = this.d;
    const len = to - from;
    // Names in RDATA may point anywhere earlier in the message: read with
    // the message's bounds, then check the fields stayed inside the RDATA.
    const r = new Reader(d, this.msg, this.end);
    r.at = from;
    const inside = <T>(v: T): T => {
      if (r.at > to) throw new DnsError(`type ${type} rdata at offset ${from} overruns its length ${len}`);
      return v;
    };
    switch (type) {
      case 1: if (len === 4) return formatIPv4(u32(d, from)); break;
      case 28: if (len === 16) return formatIPv6(d, from); break;
      case 2: case 5: case 12: case 39: return inside(r.name());
      case 15: return inside({ preference: r.u16(), exchange: r.name() });
      case 33: return inside({ priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() });
      case 6:
        return inside({ mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() });
      case 16: {
        const out: string[] = [];
        for (let p = from; p < to;) {
          const n = d[p];
          if (p + 1 + n > to) throw new DnsError(`TXT string at offset ${p} overruns its record`);
          out.push(latin1(d, p + 1, p + 1 + n));
          p += 1 + n;
        }
        return out;
      }
      default:
    }
    return copy(d, from, to);
  }
}

/** A label as text: printable ASCII as is, '.' and '\\' escaped, other bytes as \\DDD (as dig prints them). */
function label(d: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const c = d[i];
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${String(c).padStart(3, '0')}`;
  }
  return s;
}

function latin1(d: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(d[i]);
  return s;
}
