/**
 * npm pcap's `pcap/decode/tcp`: the TCP header, its flags and the options
 * npm pcap knows (MSS, window scale, SACK-permitted, SACK, timestamps).
 *
 * Differences from npm pcap 3.1.0, all where it throws or hangs: an option
 * kind it does not know (it throws "Don't know how to process TCP option")
 * is skipped by its length byte; an option cut off by the header or the
 * capture, or an experimental option of length 0 (a loop forever there),
 * ends option parsing and leaves `options._error`.
 */
import { tagDecoder, truncated, u16, u32 } from '../../pcap-internal/decoder';
import { fieldsWith, inspectSymbol, ownView, viewOf } from '../../pcap-internal/show';
import type { Bytes, Emitter } from '../../pcap-internal/decoder';

/** Flag bits; `nonce` is the low bit of the data-offset byte. */
class TCPFlags {
  emitter: Emitter | undefined = undefined;
  nonce: boolean | undefined = undefined;
  cwr: boolean | undefined = undefined;
  ece: boolean | undefined = undefined;
  urg: boolean | undefined = undefined;
  ack: boolean | undefined = undefined;
  psh: boolean | undefined = undefined;
  rst: boolean | undefined = undefined;
  syn: boolean | undefined = undefined;
  fin: boolean | undefined = undefined;

  decode(first_byte: number, second_byte: number): this {
    this.nonce = (first_byte & 1) !== 0;
    this.cwr = (second_byte & 128) !== 0;
    this.ece = (second_byte & 64) !== 0;
    this.urg = (second_byte & 32) !== 0;
    this.ack = (second_byte & 16) !== 0;
    this.psh = (second_byte & 8) !== 0;
    this.rst = (second_byte & 4) !== 0;
    this.syn = (second_byte & 2) !== 0;
    this.fin = (second_byte & 1) !== 0;
    return this;
  }

  /** "[ap]": one letter per flag set, in the order c e u a p r s f. */
  toString(): string {
    let s = '[';
    if (this.cwr) s += 'c';
    if (this.ece) s += 'e';
    if (this.urg) s += 'u';
    if (this.ack) s += 'a';
    if (this.psh) s += 'p';
    if (this.rst) s += 'r';
    if (this.syn) s += 's';
    if (this.fin) s += 'f';
    return `${s}]`;
  }
}

/** SACK option lengths npm pcap accepts: 1 to 4 blocks of 8 bytes. */
const SACK_LENGTHS = new Set([10, 18, 26, 34]);

class TCPOptions {
  mss: number | null = null;
  window_scale: number | null = null;
  sack_ok: boolean | null = null;
  sack: number[][] | null = null;
  timestamp: number | null = null;
  echo: number | null = null;
  /** Set only when parsing stopped at a malformed or truncated option. */
  declare _error?: string;

  /** Parse `len` bytes of options at `offset`. */
  decode(raw_packet: Bytes, offset: number, len: number): this {
    const end = offset + len;
    const have = raw_packet.length;
    let o = offset;
    while (o < end) {
      const kind = raw_packet[o];
      switch (kind) {
        case 0: return this; // end of option list
        case 1: o += 1; break; // NOP
        case 2:
          if (o + 4 > have) return this.stop(truncated('TCP MSS option', 4, have - o));
          this.mss = u16(raw_packet, o + 2);
          o += 4;
          break;
        case 3: this.window_scale = raw_packet[o + 2]; o += 3; break;
        case 4: this.sack_ok = true; o += 2; break;
        case 5: {
          this.sack = [];
          const optLen = raw_packet[o + 1];
          // npm pcap gives up on the other options after a SACK of odd length.
          if (!SACK_LENGTHS.has(optLen)) return this;
          if (o + optLen > have) return this.stop(truncated('TCP SACK option', optLen, have - o));
          for (let p = o + 2; p < o + optLen; p += 8) this.sack.push([u32(raw_packet, p), u32(raw_packet, p + 4)]);
          o += optLen;
          break;
        }
        case 8:
          if (o + 10 > have) return this.stop(truncated('TCP timestamp option', 10, have - o));
          this.timestamp = u32(raw_packet, o + 2);
          this.echo = u32(raw_packet, o + 6);
          o += 10;
          break;
        default: {
          if (kind === undefined) return this.stop(truncated('TCP options', end - offset, have - offset));
          // Every other kind (experimental 253/254 too) is kind, length, data.
          const optLen = raw_packet[o + 1];
          if (!(optLen >= 2)) return this.stop(`TCP option ${kind} has length ${optLen}`);
          o += optLen;
        }
      }
    }
    return this;
  }

  private stop(why: string): this {
    this._error = why;
    return this;
  }

  /** "[mss:1460 scale:7(128) sack_ok]", or "[]" when none of those is set. */
  toString(): string {
    let s = '';
    if (this.mss !== null) s += `mss:${this.mss} `;
    if (this.window_scale !== null) s += `scale:${this.window_scale}(${2 ** this.window_scale}) `;
    if (this.sack_ok !== null) s += 'sack_ok ';
    if (this.sack !== null) s += `sack:${this.sack.join(',')} `;
    if (s.length === 0) s = '. ';
    return `[${s.slice(0, -1)}]`;
  }
}

class TCP {
  emitter: Emitter | undefined;
  sport: number | undefined = undefined;
  dport: number | undefined = undefined;
  seqno: number | undefined = undefined;
  ackno: number | undefined = undefined;
  headerLength: number | undefined = undefined;
  reserved: undefined = undefined;
  windowSize: number | undefined = undefined;
  checksum: number | undefined = undefined;
  urgentPointer: number | undefined = undefined;
  options: TCPOptions | undefined = undefined;
  dataLength: number | undefined = undefined;
  /** Set only when the header is cut short (npm pcap throws there). */
  declare _error?: string;

  /**
   * What flags and data are built from, on first use: most programs read
   * neither, and a Buffer view costs more than decoding the whole header.
   */
  #flagBytes = -1;
  #flags: TCPFlags | undefined = undefined;
  #raw: Buffer | undefined = undefined;
  #dataAt = 0;
  #data: Buffer | null | undefined = undefined;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  /** The flag bits (built on first use). */
  get flags(): TCPFlags | undefined {
    if (this.#flags === undefined && this.#flagBytes >= 0) {
      this.#flags = new TCPFlags().decode(this.#flagBytes >> 8, this.#flagBytes & 255);
    }
    return this.#flags;
  }

  set flags(value: TCPFlags | undefined) {
    this.#flags = value;
  }

  /**
   * The payload: a view into the packet (no copy), valid while the packet's
   * buffer is, as in npm pcap; null when there is none.
   */
  get data(): Buffer | null | undefined {
    if (this.#data === undefined && this.#raw !== undefined) {
      const n = this.dataLength as number;
      this.#data = n > 0 ? viewOf(this.#raw, this.#dataAt, this.#dataAt + n) : null;
    }
    return this.#data;
  }

  set data(value: Buffer | null | undefined) {
    this.#data = value;
    this.#raw = undefined;
  }

  /** Decode at `offset`; `len` is the segment length the IP header gives. */
  decode(raw_packet: Bytes, offset: number, len: number): this {
    const b = raw_packet;
    if (!(b.length - offset >= 20)) {
      this._error = truncated('TCP header', 20, b.length - offset);
      return this;
    }
    this.sport = u16(b, offset);
    this.dport = u16(b, offset + 2);
    this.seqno = u32(b, offset + 4);
    this.ackno = u32(b, offset + 8);
    const headerLength = (b[offset + 12] & 0xf0) >> 2;
    this.headerLength = headerLength;
    this.#flagBytes = (b[offset + 12] << 8) | b[offset + 13];
    this.#flags = undefined;
    this.windowSize = u16(b, offset + 14);
    this.checksum = u16(b, offset + 16);
    this.urgentPointer = u16(b, offset + 18);
    this.options = new TCPOptions();
    let dataAt = offset + 20;
    if (headerLength > 20) {
      this.options.decode(b, dataAt, headerLength - 20);
      dataAt += headerLength - 20;
    }
    const dataLength = len - headerLength;
    this.dataLength = dataLength;
    this.#raw = b;
    this.#dataAt = dataAt;
    this.#data = undefined;
    if (this.emitter) this.emitter.emit('tcp', this);
    return this;
  }

  toJSON(): Record<string, unknown> {
    return fieldsWith(this, this.lazyFields());
  }

  [inspectSymbol](): object {
    return ownView(this, fieldsWith(this, this.lazyFields()));
  }

  /** flags and data where npm pcap has them. */
  private lazyFields(): [string, string, unknown][] {
    return [['reserved', 'flags', this.flags], ['options', 'data', this.data]];
  }

  /** "54321->80 seq 1 ack 0 flags [ap] win 512 csum 0 [.] len 10". */
  toString(): string {
    // npm pcap tests a misspelt field before printing "urg", so never prints it.
    return `${this.sport}->${this.dport} seq ${this.seqno} ack ${this.ackno} flags ${this.flags} ` +
      `win ${this.windowSize} csum ${this.checksum} ${String(this.options)} len ${this.dataLength}`;
  }
}
interface TCP { decoderName: string; eventsOnDecode: boolean }
tagDecoder(TCP, 'tcp', true);

export = TCP;
