/**
 * npm pcap's `pcap/decode/ipv6_addr`: an IPv6 address, written out in full
 * (eight groups of four hex digits, no "::" shortening, as npm pcap does).
 */
import { int8_to_hex as hex } from '../util';
import { tagDecoder } from '../../pcap-internal/decoder';
import { inspectSymbol, ownView } from '../../pcap-internal/show';
import type { Bytes } from '../../pcap-internal/decoder';

class IPv6Addr {
  /** The sixteen bytes as four 32-bit words, read by decode() (the packet's buffer may be reused later). */
  #w0 = 0;
  #w1 = 0;
  #w2 = 0;
  #w3 = 0;
  #decoded = false;
  /** The array, once built (or given). */
  #addr: number[] | undefined = undefined;

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    this.#addr = undefined;
    if (offset >= 0 && offset + 16 <= b.length) {
      const o = offset;
      this.#w0 = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
      this.#w1 = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
      this.#w2 = ((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0;
      this.#w3 = ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0;
      this.#decoded = true;
    } else {
      // Past the end: npm pcap's array holds undefined there.
      const a = new Array(16);
      for (let i = 0; i < 16; i++) a[i] = b[offset + i];
      this.#addr = a;
    }
    return this;
  }

  /** The sixteen bytes (an array built on first use; sixteen empty slots before decode()). */
  get addr(): number[] {
    if (this.#addr === undefined) {
      const a = new Array(16);
      if (this.#decoded) {
        const w = [this.#w0, this.#w1, this.#w2, this.#w3];
        for (let i = 0; i < 16; i++) a[i] = (w[i >> 2] >>> (24 - 8 * (i & 3))) & 255;
      }
      this.#addr = a;
    }
    return this.#addr;
  }

  set addr(value: number[]) {
    this.#addr = value;
  }

  toString(): string {
    if (this.#addr !== undefined || !this.#decoded) {
      const a = this.addr;
      let s = hex[a[0]] + hex[a[1]];
      for (let i = 2; i < 16; i += 2) s += `:${hex[a[i]]}${hex[a[i + 1]]}`;
      return s;
    }
    const group = (v: number): string => hex[v >>> 8] + hex[v & 255];
    const w0 = this.#w0;
    const w1 = this.#w1;
    const w2 = this.#w2;
    const w3 = this.#w3;
    return `${group(w0 >>> 16)}:${group(w0 & 0xffff)}:${group(w1 >>> 16)}:${group(w1 & 0xffff)}:` +
      `${group(w2 >>> 16)}:${group(w2 & 0xffff)}:${group(w3 >>> 16)}:${group(w3 & 0xffff)}`;
  }

  toJSON(): { addr: number[] } {
    return { addr: this.addr };
  }

  [inspectSymbol](): object {
    return ownView(this, { addr: this.addr });
  }
}
interface IPv6Addr { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IPv6Addr, 'ipv6-addr', false);

export = IPv6Addr;
