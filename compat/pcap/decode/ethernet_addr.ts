/** npm pcap's `pcap/decode/ethernet_addr`: a MAC address ("00:11:22:33:44:55"). */
import { int8_to_hex as hex } from '../util';
import { inspectSymbol, ownView } from '../../pcap-internal/show';
import type { Bytes } from '../../pcap-internal/decoder';

class EthernetAddr {
  /** Bytes 0-1 and 2-5, read at construction (the packet's buffer may be reused later). */
  #hi = 0;
  #lo = 0;
  /** The array, once built (or given). */
  #addr: number[] | undefined = undefined;

  /** Reads six bytes at `offset` (pcap decodes in the constructor here). */
  constructor(raw_packet: Bytes, offset: number) {
    const b = raw_packet;
    if (offset >= 0 && offset + 6 <= b.length) {
      this.#hi = (b[offset] << 8) | b[offset + 1];
      this.#lo = ((b[offset + 2] << 24) | (b[offset + 3] << 16) | (b[offset + 4] << 8) | b[offset + 5]) >>> 0;
    } else {
      // Past the end: npm pcap's array holds undefined there.
      this.#addr = [b[offset], b[offset + 1], b[offset + 2], b[offset + 3], b[offset + 4], b[offset + 5]];
    }
  }

  /** The six bytes (an array built on first use). */
  get addr(): number[] {
    if (this.#addr === undefined) {
      const hi = this.#hi;
      const lo = this.#lo;
      this.#addr = [hi >>> 8, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
    }
    return this.#addr;
  }

  set addr(value: number[]) {
    this.#addr = value;
  }

  toString(): string {
    const a = this.#addr;
    if (a !== undefined) return `${hex[a[0]]}:${hex[a[1]]}:${hex[a[2]]}:${hex[a[3]]}:${hex[a[4]]}:${hex[a[5]]}`;
    const hi = this.#hi;
    const lo = this.#lo;
    return `${hex[hi >>> 8]}:${hex[hi & 255]}:${hex[lo >>> 24]}:${hex[(lo >>> 16) & 255]}:${hex[(lo >>> 8) & 255]}:${hex[lo & 255]}`;
  }

  toJSON(): { addr: number[] } {
    return { addr: this.addr };
  }

  [inspectSymbol](): object {
    return ownView(this, { addr: this.addr });
  }
}

export = EthernetAddr;
