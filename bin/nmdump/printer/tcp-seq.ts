/**
 * tcpdump's relative sequence numbers: the first segment with ACK set seen
 * on a connection (or any SYN) records both directions' initial numbers,
 * and later segments print seq and ack relative to them. Both directions
 * share one entry, keyed with the addresses in a fixed order.
 */

interface Conversation {
  seq: number;
  ack: number;
}

/** Compare two byte ranges as memcmp does. */
function compare(b: Uint8Array, x: number, y: number, n: number): number {
  for (let i = 0; i < n; i++) if (b[x + i] !== b[y + i]) return b[x + i] - b[y + i];
  return 0;
}

const hex = (b: Uint8Array, at: number, n: number): string => Buffer.from(b.buffer, b.byteOffset + at, n).toString('hex');

export interface SeqView {
  seq: number;
  ack: number;
  /** The reference numbers, for SACK blocks. */
  thSeq: number;
  thAck: number;
  /** The segment goes the other way from the conversation's key. */
  reversed: boolean;
}

export class TcpSeqTracker {
  readonly #conversations = new Map<string, Conversation>();

  /**
   * The numbers to print for a segment with ACK set; `src`/`dst` are the
   * offsets of the IP addresses (`size` bytes each) in `bytes`.
   */
  view(bytes: Uint8Array, src: number, dst: number, size: number, sport: number, dport: number,
       seq: number, ack: number, syn: boolean): SeqView {
    const reversed = sport > dport || (sport === dport && compare(bytes, src, dst, size) > 0);
    const key = reversed ? `${hex(bytes, dst, size)}-${hex(bytes, src, size)}-${dport}-${sport}`
      : `${hex(bytes, src, size)}-${hex(bytes, dst, size)}-${sport}-${dport}`;
    let c = this.#conversations.get(key);
    if (!c || syn) {
      c = reversed ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
      this.#conversations.set(key, c);
    } else if (reversed) {
      seq = (seq - c.ack) >>> 0;
      ack = (ack - c.seq) >>> 0;
    } else {
      seq = (seq - c.seq) >>> 0;
      ack = (ack - c.ack) >>> 0;
    }
    return { seq, ack, thSeq: c.seq, thAck: c.ack, reversed };
  }
}
