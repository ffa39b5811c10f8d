/**
 * The bridge to the native record walk (csrc/savefile_walk.c): what it
 * must know about a file, as the Uint32Array of parameters it reads.
 *
 * The walk takes only the common records (plain pcap records; pcapng
 * Enhanced Packet Blocks on an interface of the current section with µs
 * or ns timestamps and no offset) and stops before anything else, which
 * the TypeScript parser then takes with its full rules. So a file the
 * walk cannot describe (old pcap versions, Kuznetzov's records) simply
 * has no walker, and is read by the parser alone.
 */
import { PcapParser } from './pcap';
import { PcapngParser } from './pcapng';
import type { SavefileParser } from './types';

/** csrc/savefile_walk.h: enum nmp_sf_format, enum nmp_sf_units, and binding_savefile.c's params. */
const FORMAT_PCAP = 1;
const FORMAT_PCAPNG = 2;
const UNITS_OTHER = 0;
const UNITS_USEC = 1;
const UNITS_NSEC = 2;
const P_IFACES = 6;

export class NativeWalk {
  /** format, littleEndian, nanosecond, snaplen, base, nifaces, (snaplen, units)… */
  params: Uint32Array;
  readonly #parser: SavefileParser;
  #version = -1;

  private constructor(parser: SavefileParser, params: Uint32Array) {
    this.#parser = parser;
    this.params = params;
  }

  /** A walk for this parser's file, or null if every record is the parser's. */
  static for(parser: SavefileParser): NativeWalk | null {
    if (parser instanceof PcapParser) {
      const plain = parser.plainRecords;
      if (!plain) return null;
      return new NativeWalk(parser, Uint32Array.of(FORMAT_PCAP, plain.littleEndian ? 1 : 0,
        plain.nanosecond ? 1 : 0, plain.snaplen, 0, 0));
    }
    if (parser instanceof PcapngParser) {
      const walk = new NativeWalk(parser, new Uint32Array(P_IFACES));
      walk.refresh();
      return walk;
    }
    return null;
  }

  /** After the parser took blocks: describe a new section or interface to C. */
  refresh(): void {
    const p = this.#parser;
    if (!(p instanceof PcapngParser) || p.layoutVersion === this.#version) return;
    this.#version = p.layoutVersion;
    const { littleEndian, base, snaps } = p.currentSection;
    const params = new Uint32Array(P_IFACES + 2 * snaps.length);
    params.set([FORMAT_PCAPNG, littleEndian ? 1 : 0, 0, 0, base, snaps.length]);
    for (let i = 0; i < snaps.length; i++) {
      const info = p.interfaces[base + i];
      const units = info.tsoffset !== 0 || info.tsresolBinary ? UNITS_OTHER
        : info.tsresol === 1e6 ? UNITS_USEC : info.tsresol === 1e9 ? UNITS_NSEC : UNITS_OTHER;
      params[P_IFACES + 2 * i] = snaps[i];
      params[P_IFACES + 2 * i + 1] = units;
    }
    this.params = params;
  }
}
