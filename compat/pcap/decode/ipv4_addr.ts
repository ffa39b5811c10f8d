/** npm pcap's `pcap/decode/ipv4_addr`: an IPv4 address ("198.18.0.1"). */
import { int8_to_dec as dec } from '../util';
import { tagDecoder } from '../../pcap-internal/decoder';
import { inspectSymbol, ownView } from '../../pcap-internal/show';
import type { Bytes } from '../../pcap-internal/decoder';

class IPv4Addr {
  /** The address as a number, read by decode() (the packet's buffer may be reused later). */
  #value = 0;
  #decoded = false;
  /** The array, once built (or given). */
  #addr: number[] | undefined = undefined;

  decode(raw_packet: Bytes, offset: number): this {
    const b = raw_packet;
    if (offset >= 0 && offset + 4 <= b.length) {
      this.#value = ((b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3]) >>> 0;
      this.#decoded = true;
      this.#addr = undefined;
    } else {
      // Past the end: npm pcap's array holds undefined there.
      this.#addr = [b[offset], b[offset + 1], b[offset + 2], b[offset + 3]];
    }
    return this;
  }

  /** The four bytes (an array built on first use; four empty slots before decode()). */
  get addr(): number[] {
    if (this.#addr === undefined) {
      const v = this.#value;
      this.#addr = this.#decoded ? [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255] : new Array(4);
    }
    return this.#addr;
  }

  set addr(value: number[]) {
    this.#addr = value;
  }

  toString(): string {
    const a = this.#addr;
    if (a !== undefined || !this.#decoded) {
      const b = this.addr;
      return `${dec[b[0]]}.${dec[b[1]]}.${dec[b[2]]}.${dec[b[3]]}`;
    }
    const v = this.#value;
    return `${dec[v >>> 24]}.${dec[(v >>> 16) & 255]}.${dec[(v >>> 8) & 255]}.${dec[v & 255]}`;
  }

  toJSON(): { addr: number[] } {
    return { addr: this.addr };
  }

  [inspectSymbol](): object {
    return ownView(this, { addr: this.addr });
  }
}
interface IPv4Addr { decoderName: string; eventsOnDecode: boolean }
tagDecoder(IPv4Addr, 'ipv4-addr', false);

export = IPv4Addr;
