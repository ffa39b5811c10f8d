/**
 * npm pcap's `pcap/decode/dns`: a DNS message (RFC 1035): header, the four
 * record sections, names with compression pointers; rdata decoded for A
 * and NS records.
 *
 * Kept as npm pcap 3.1.0 has it, so output matches: the header flags are
 * decoded from the wrong argument and so always read false / 0, and an AAAA
 * record gets an empty `data` address instead of `rdata`.
 * Where npm pcap throws (a name with a label over 63 bytes, more than five
 * compression pointers, reads past the end) or loops forever (a name that
 * runs off the end), this decoder stops and sets `_error`.
 */
import IPv4Addr = require('./ipv4_addr');
import IPv6Addr = require('./ipv6_addr');
import { tagDecoder } from '../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

/** Raised inside decode() where npm pcap would throw; becomes `_error`. */
class Malformed extends Error {}

class DnsFlags {
  isResponse: boolean | undefined = undefined;
  /** 0 query, 1 inverse query, 2 status. */
  opcode: number | undefined = undefined;
  isAuthority: boolean | undefined = undefined;
  isTruncated: boolean | undefined = undefined;
  isRecursionDesired: boolean | undefined = undefined;
  isRecursionAvailible: boolean | undefined = undefined;
  z: number | undefined = undefined;
  /** 0 no error, 1 format error, 2 server failure, 3 name error, 4 not implemented, 5 refused. */
  responseCode: number | undefined = undefined;

  /** Reads the two flag bytes at `offset` of `raw_packet`. */
  decode(raw_packet: ArrayLike<number>, offset: number): this {
    const byte1 = raw_packet[offset];
    const byte2 = raw_packet[offset + 1];
    this.isResponse = Boolean(byte1 & 0x80);
    this.opcode = (byte1 & 0x78) >> 3;
    this.isAuthority = Boolean(byte1 & 0x04);
    this.isTruncated = Boolean(byte1 & 0x02);
    this.isRecursionDesired = Boolean(byte1 & 0x01);
    this.isRecursionAvailible = Boolean(byte2 & 0x80);
    this.z = byte2 & (0x70 >> 4); // npm pcap's operator precedence, kept
    this.responseCode = byte2 & 0x0f;
    return this;
  }

  toString(): string {
    return `{ isResponse:${this.isResponse} opcode:${this.opcode} isAuthority:${this.isAuthority}` +
      ` isTruncated:${this.isTruncated} isRecursionDesired:${this.isRecursionDesired}` +
      ` isRecursionAvailible:${this.isRecursionAvailible} z:${this.z} responseCode:${this.responseCode} }`;
  }
}

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL',
  11: 'WKS', 12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA',
};
const QTYPES: Record<number, string> = { 252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: '*' };
const CLASSES: Record<number, string> = { 1: 'IN', 2: 'CS', 3: 'CH', 4: 'HS' };

const typeName = (n: number): string => TYPES[n] ?? `Unknown (${n})`;
const qtypeName = (n: number): string => QTYPES[n] ?? typeName(n);
const className = (n: number): string => CLASSES[n] ?? `Unknown (${n})`;
const qclassName = (n: number): string => (n === 255 ? '*' : className(n));

class DNSRR {
  name = '';
  type: number | null = null;
  class: number | null = null;
  ttl: number | null = null;
  rdlength: number | null = null;
  rdata: IPv4Addr | string | null = null;
  is_question: boolean;
  /** AAAA records only (an undecoded address, as in npm pcap). */
  declare data?: IPv6Addr;

  constructor(is_question: boolean) {
    this.is_question = is_question;
  }

  /** "example.com A IN" (question) or "example.com A IN 300 198.18.0.1". */
  toString(): string {
    const type = this.type as number;
    const cls = this.class as number;
    return this.is_question
      ? `${this.name} ${qtypeName(type)} ${qclassName(cls)}`
      : `${this.name} ${typeName(type)} ${className(cls)} ${this.ttl} ${this.rdata}`;
  }
}

class DNSRRSet {
  rrs: DNSRR[];

  constructor(count: number) {
    this.rrs = new Array(count);
  }

  toString(): string {
    return this.rrs.join(', ');
  }
}

/** npm pcap refuses sections with more records than this. */
const MAX_RRS = 100;
/** And names that follow more compression pointers than this. */
const MAX_POINTERS = 5;

class DNS {
  emitter: Emitter | undefined;
  header: DnsFlags | undefined = undefined;
  question: DNSRRSet | undefined = undefined;
  answer: DNSRRSet | undefined = undefined;
  authority: DNSRRSet | undefined = undefined;
  additional: DNSRRSet | undefined = undefined;
  _error: string | undefined = undefined;
  declare raw_packet: Bytes;
  /** Read position while decoding. */
  declare offset: number;
  declare id: number;
  declare qdcount: number;
  declare ancount: number;
  declare nscount: number;
  declare arcount: number;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number): this {
    this.raw_packet = raw_packet;
    this.offset = offset;
    try {
      this.id = this.u16(offset);
      this.header = new DnsFlags().decode(this.u16(offset + 2) as unknown as ArrayLike<number>, offset + 2);
      this.qdcount = this.u16(offset + 4);
      this.ancount = this.u16(offset + 6);
      this.nscount = this.u16(offset + 8);
      this.arcount = this.u16(offset + 10);
      this.offset += 12;
      this.question = this.decode_RRs(this.qdcount, true);
      this.answer = this.decode_RRs(this.ancount, false);
      this.authority = this.decode_RRs(this.nscount, false);
      this.additional = this.decode_RRs(this.arcount, false);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      this._error = e.message;
      return this;
    }
    if (this.emitter) this.emitter.emit('dns', this);
    return this;
  }

  /** One section; more than 100 records sets `_error` and gives undefined. */
  decode_RRs(count: number, is_question: boolean): DNSRRSet | undefined {
    if (count > MAX_RRS) {
      this._error = `Malformed DNS packet: too many RRs at offset ${this.offset}`;
      return undefined;
    }
    const set = new DNSRRSet(count);
    for (let i = 0; i < count; i++) set.rrs[i] = this.decode_RR(is_question);
    return set;
  }

  decode_RR(is_question: boolean): DNSRR {
    const raw = this.raw_packet;
    if (this.offset > raw.length) {
      throw new Malformed(`Malformed DNS RR. Offset is beyond packet len (decode_RR) :${this.offset} packet_len:${raw.length}`);
    }
    const rr = new DNSRR(is_question);
    rr.name = this.read_name();
    rr.type = this.u16(this.offset);
    rr.class = this.u16(this.offset + 2);
    this.offset += 4;
    if (is_question) return rr;
    rr.ttl = this.u32(this.offset);
    rr.rdlength = this.u16(this.offset + 4);
    this.offset += 6;
    if (rr.type === 1 && rr.class === 1 && rr.rdlength) {
      rr.rdata = new IPv4Addr().decode(raw, this.offset);
    } else if (rr.type === 2 && rr.class === 1) {
      rr.rdata = this.read_name();
      this.offset -= rr.rdlength; // read_name moved past the name
    } else if (rr.type === 28 && rr.class === 1 && rr.rdlength === 16) {
      rr.data = new IPv6Addr();
    }
    this.offset += rr.rdlength;
    return rr;
  }

  /** A possibly compressed name at `this.offset`; moves past it. */
  read_name(): string {
    const raw = this.raw_packet;
    let name = '';
    let pointers = 0;
    let pos = this.offset;
    for (;;) {
      if (pos >= raw.length) throw new Malformed(`invalid DNS RR: name runs past the end of the packet at offset ${pos}`);
      const len = raw[pos];
      if (len === 0) break;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= raw.length) throw new Malformed(`invalid DNS RR: compression pointer cut off at offset ${pos}`);
        pos = ((len & 0x3f) << 8) | raw[pos + 1];
        pointers++;
        if (pointers === 1) this.offset += 2;
        if (pointers > MAX_POINTERS) throw new Malformed(`invalid DNS RR: too many compression pointers found at offset ${pos}`);
        continue;
      }
      if (name.length > 0) name += '.';
      if (len > 63) throw new Malformed(`invalid DNS RR: length is too large at offset ${pos}`);
      pos++;
      const stop = Math.min(pos + len, raw.length);
      for (let i = pos; i < stop; i++) name += String.fromCharCode(raw[i]);
      pos += len;
      if (pointers === 0) this.offset = pos;
    }
    if (pointers === 0) this.offset++;
    return name;
  }

  /** " DNS { flags }" and one line per non-empty section. */
  toString(): string {
    let s = ` DNS ${this.header}`;
    if (this.qdcount > 0) s += `\n  question:${this.question?.rrs[0]}`;
    if (this.ancount > 0) s += `\n  answer:${this.answer}`;
    if (this.nscount > 0) s += `\n  authority:${this.authority}`;
    if (this.arcount > 0) s += `\n  additional:${this.additional}`;
    return s;
  }

  private u16(at: number): number {
    const raw = this.raw_packet;
    if (at < 0 || at + 2 > raw.length) throw new Malformed(`DNS message cut short: 2 bytes needed at offset ${at}, ${raw.length} in all`);
    return (raw[at] << 8) | raw[at + 1];
  }

  private u32(at: number): number {
    const raw = this.raw_packet;
    if (at < 0 || at + 4 > raw.length) throw new Malformed(`DNS message cut short: 4 bytes needed at offset ${at}, ${raw.length} in all`);
    return ((raw[at] << 24) | (raw[at + 1] << 16) | (raw[at + 2] << 8) | raw[at + 3]) >>> 0;
  }
}
interface DNS { decoderName: string; eventsOnDecode: boolean }
tagDecoder(DNS, 'dns', true);

export = DNS;
