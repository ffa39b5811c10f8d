/**
 * One printed line per packet, as tcpdump prints it: the timestamp, the
 * protocol description, then the -x / -X / -A dump if asked for.
 */
import type { PacketHeader } from '../../../index';
import type { NmdumpOptions } from '../options';
import { describePacket, PrintState } from './describe';
import { asciiDump, hexAsciiDump, hexDump } from './hexdump';
import { TimestampFormat } from './timestamp';

export class Printer {
  readonly #opts: NmdumpOptions;
  readonly #time: TimestampFormat;
  readonly #state = new PrintState();

  constructor(opts: NmdumpOptions) {
    this.#opts = opts;
    this.#time = new TimestampFormat(opts.timestamps, opts.nano);
  }

  /** The text for one packet (one or more lines, without the final newline). */
  format(data: Uint8Array, header: PacketHeader, linktype: number): string {
    const o = this.#opts;
    const bytes = data.length > header.caplen ? data.subarray(0, header.caplen) : data;
    const stamp = this.#time.format(header.tsSec, header.tsNsec);
    const { text, linkLength } = describePacket(bytes, header.len, linktype, o, this.#state);
    let line = stamp + text;
    // -X beats -x beats -A; one flag skips the link header, two keep it.
    const [count, dump] = o.hexAscii > 0 ? [o.hexAscii, hexAsciiDump] : o.hex > 0 ? [o.hex, hexDump]
      : o.ascii > 0 ? [o.ascii, asciiDump] : [0, null];
    if (dump) {
      if (count > 1) line += dump(bytes);
      else if (bytes.length > linkLength) line += dump(bytes.subarray(linkLength));
    }
    return line;
  }
}
