/**
 * The IP layer of compat/pcap: IPv4, IPv6, the IPv6 extension headers and
 * the protocol-number table that links them to their payload decoders.
 *
 * They live in one module because they decode each other (IPv6 in IPv4,
 * IPv4 in IPv6, extension headers in both); the files npm pcap users
 * require (`pcap/decode/ipv4`, `ipv6`, `ip_protocols`,
 * `ipv6headers/header_extension`, `ipv6headers/no_next`) re-export these
 * classes, so every path resolves to the very class the decoders build and
 * `instanceof` holds. (npm pcap 3.1.0's own cycle leaves IP-in-IP
 * undecodable: its table entry 4 is an empty object, and decoding throws.)
 */
import ICMP = require('../pcap/decode/icmp');
import IGMP = require('../pcap/decode/igmp');
import IPv4Addr = require('../pcap/decode/ipv4_addr');
import IPv6Addr = require('../pcap/decode/ipv6_addr');
import TCP = require('../pcap/decode/tcp');
import UDP = require('../pcap/decode/udp');
import { tagDecoder, truncated, u16, u32 } from './decoder';
import { fieldsWith, inspectSymbol, ipv4Bytes, ownView } from './show';
import type { Bytes, Emitter } from './decoder';

/** What the table holds: `new P(emitter).decode(raw, offset, len)`. */
export interface ProtocolDecoder {
  new (emitter?: Emitter): { decode(raw_packet: Bytes, offset: number, len: number): object };
}

/** IP protocol number to payload decoder (IANA numbers); holes are unknown. */
export const protocols: ProtocolDecoder[] = new Array(256);

/** `new P(emitter).decode(...)` for protocol `n`, or undefined if unknown. */
function decodePayload(n: number, emitter: Emitter | undefined, raw: Bytes, offset: number, len: number): object | undefined {
  const P = protocols[n];
  return P === undefined ? undefined : new P(emitter).decode(raw, offset, len);
}

/** "TCP <tcp>" / "proto 89 undefined", the tail of every IP toString(). */
function describePayload(payload: object | undefined, proto: number | undefined): string {
  const head = payload === undefined || payload === null ? `proto ${proto}` : payload.constructor.name;
  return `${head} ${payload}`;
}

export class IPFlags {
  emitter: Emitter | undefined = undefined;
  reserved: boolean | undefined = undefined;
  doNotFragment: boolean | undefined = undefined;
  moreFragments: boolean | undefined = undefined;

  decode(raw_flags: number): this {
    this.reserved = (raw_flags & 0x80) !== 0;
    this.doNotFragment = (raw_flags & 0x40) !== 0;
    this.moreFragments = (raw_flags & 0x20) !== 0;
    return this;
  }

  /** "[d]", "[m]", "[]"... */
  toString(): string {
    return `[${this.reserved ? 'r' : ''}${this.doNotFragment ? 'd' : ''}${this.moreFragments ? 'm' : ''}]`;
  }
}

export class IPv4 {
  emitter: Emitter | undefined;
  version: number | undefined = undefined;
  /** In bytes. */
  headerLength: number | undefined = undefined;
  diffserv: number | undefined = undefined;
  length: number | undefined = undefined;
  identification: number | undefined = undefined;
  /** In bytes. */
  fragmentOffset: number | undefined = undefined;
  ttl: number | undefined = undefined;
  protocol: number | undefined = undefined;
  headerChecksum: number | undefined = undefined;
  /** "Unknown" when no decoder knows the protocol. */
  protocolName: string | undefined = undefined;
  payload: object | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;
  /** The flags byte; the IPFlags object is built on first use. */
  #flagByte = -1;
  #flags: IPFlags | undefined = undefined;
  /** The addresses as read; their objects are built on first use. */
  #src = 0;
  #dst = 0;
  #read = false;
  #saddr: IPv4Addr | undefined = undefined;
  #daddr: IPv4Addr | undefined = undefined;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  /** Reserved / don't fragment / more fragments (built on first use). */
  get flags(): IPFlags | undefined {
    if (this.#flags === undefined && this.#flagByte >= 0) this.#flags = new IPFlags().decode(this.#flagByte);
    return this.#flags;
  }

  set flags(value: IPFlags | undefined) {
    this.#flags = value;
  }

  /** The source address (built on first use). */
  get saddr(): IPv4Addr | undefined {
    if (this.#saddr === undefined && this.#read) this.#saddr = new IPv4Addr().decode(ipv4Bytes(this.#src), 0);
    return this.#saddr;
  }

  set saddr(value: IPv4Addr | undefined) {
    this.#saddr = value;
  }

  /** The destination address (built on first use). */
  get daddr(): IPv4Addr | undefined {
    if (this.#daddr === undefined && this.#read) this.#daddr = new IPv4Addr().decode(ipv4Bytes(this.#dst), 0);
    return this.#daddr;
  }

  set daddr(value: IPv4Addr | undefined) {
    this.#daddr = value;
  }

  toJSON(): Record<string, unknown> {
    return fieldsWith(this, [['identification', 'flags', this.flags], ['headerChecksum', 'saddr', this.saddr],
      ['saddr', 'daddr', this.daddr]]);
  }

  [inspectSymbol](): object {
    return ownView(this, this.toJSON());
  }

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    // npm pcap's last multi-byte read ends at byte 12; address bytes past
    // the end read as undefined there, and here.
    if (!(b.length - offset >= 12)) {
      this._error = truncated('IPv4 header', 20, b.length - offset);
      return this;
    }
    const first = b[offset];
    this.version = (first & 0xf0) >> 4;
    const headerLength = (first & 0x0f) << 2;
    this.headerLength = headerLength;
    this.diffserv = b[offset + 1];
    const length = u16(b, offset + 2);
    this.length = length;
    this.identification = u16(b, offset + 4);
    this.#flagByte = b[offset + 6];
    this.#flags = undefined;
    this.fragmentOffset = (u16(b, offset + 6) & 0x1fff) << 3;
    this.ttl = b[offset + 8];
    const protocol = b[offset + 9];
    this.protocol = protocol;
    this.headerChecksum = u16(b, offset + 10);
    if (b.length - offset >= 20) {
      this.#src = u32(b, offset + 12);
      this.#dst = u32(b, offset + 16);
      this.#read = true;
    } else {
      // Cut inside the addresses: npm pcap's arrays hold undefined past the end.
      this.#saddr = new IPv4Addr().decode(b, offset + 12);
      this.#daddr = new IPv4Addr().decode(b, offset + 16);
    }
    if (protocols[protocol] === undefined) this.protocolName = 'Unknown';
    else this.payload = decodePayload(protocol, this.emitter, b, offset + headerLength, length - headerLength);
    if (this.emitter) this.emitter.emit('ipv4', this);
    return this;
  }

  /** "198.18.0.1 -> 198.18.0.2 flags [d] TCP <tcp>". */
  toString(): string {
    const flags = String(this.flags);
    return `${this.saddr} -> ${this.daddr} ${flags.length > 2 ? `flags ${flags} ` : ''}` +
      describePayload(this.payload, this.protocol);
  }
}
export interface IPv4 { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IPv4, 'ipv4', true);

export class IPv6 {
  emitter: Emitter | undefined;
  version: number | undefined = undefined;
  trafficClass: number | undefined = undefined;
  flowLabel: number | undefined = undefined;
  payloadLength: number | undefined = undefined;
  nextHeader: number | undefined = undefined;
  hopLimit: number | undefined = undefined;
  saddr: IPv6Addr | undefined = undefined;
  daddr: IPv6Addr | undefined = undefined;
  payload: object | undefined = undefined;
  /** "Unknown" when no decoder knows the next header (set only then, as in npm pcap). */
  declare protocolName?: string;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  /**
   * As in npm pcap 3.1.0, the payload decoder gets no emitter (so no 'tcp'
   * or 'udp' event for IPv6) and, as its length, the bytes from the start
   * of the whole packet less 40.
   */
  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (!(b.length - offset >= 6)) {
      this._error = truncated('IPv6 header', 40, b.length - offset);
      return this;
    }
    const b1 = b[offset + 1];
    this.version = (b[offset] & 0xf0) >> 4;
    this.trafficClass = ((b[offset] & 0x0f) << 4) | ((b1 & 0xf0) >> 4);
    this.flowLabel = ((b1 & 0x0f) << 16) + (b[offset + 2] << 8) + b[offset + 3];
    this.payloadLength = u16(b, offset + 4);
    const next = b[offset + 6];
    this.nextHeader = next;
    this.hopLimit = b[offset + 7];
    this.saddr = new IPv6Addr().decode(b, offset + 8);
    this.daddr = new IPv6Addr().decode(b, offset + 24);
    if (protocols[next] === undefined) this.protocolName = 'Unknown';
    else this.payload = decodePayload(next, undefined, b, offset + 40, b.length - 40);
    if (this.emitter) this.emitter.emit('ipv6', this);
    return this;
  }

  toString(): string {
    return `${this.saddr} -> ${this.daddr} ${describePayload(this.payload, this.nextHeader)}`;
  }
}
export interface IPv6 { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IPv6, 'ipv6', true);

/**
 * Any IPv6 extension header (hop-by-hop, routing, fragment, destination
 * options, ...): only its next-header and length are read (RFC 6564's
 * common layout), then the chain goes on.
 */
export class HeaderExtension {
  payload: object | undefined = undefined;
  nextHeader: number | undefined = undefined;
  /** In bytes. */
  headerLength: number | undefined = undefined;
  declare protocolName?: string;

  decode(raw_packet: Bytes, offset: number): this {
    this.nextHeader = raw_packet[offset];
    this.headerLength = (raw_packet[offset + 1] + 1) * 8;
    const next = offset + this.headerLength;
    if (protocols[this.nextHeader] === undefined) this.protocolName = 'Unknown';
    else this.payload = decodePayload(this.nextHeader, undefined, raw_packet, next, raw_packet.length - next);
    return this;
  }

  toString(): string {
    return describePayload(this.payload, this.nextHeader);
  }
}

/** IPv6 "no next header" (59): nothing follows; `_error` if bytes do. */
export class NoNext {
  _error: string | undefined = undefined;

  decode(raw_packet: Bytes, offset: number): this {
    const left = raw_packet.length - offset;
    if (left !== 0) {
      this._error = `There is more packet left to be parse,but NoNext.decode was called with ${left} bytes left.`;
    }
    return this;
  }

  toString(): string {
    return '';
  }
}

for (const n of [0, 43, 51, 60, 135, 139, 140]) protocols[n] = HeaderExtension;
protocols[1] = ICMP;
protocols[2] = IGMP;
protocols[4] = IPv4;
protocols[6] = TCP;
protocols[17] = UDP;
protocols[41] = IPv6;
protocols[59] = NoNext;
