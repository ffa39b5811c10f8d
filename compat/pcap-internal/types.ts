/** Shapes shared by compat/pcap's session and decoders. */

/** What a 'packet' event carries (npm pcap's PacketWithHeader). */
export interface PacketWithHeader {
  /** The packet's bytes (at least `caplen` of them). */
  buf: Buffer;
  /** tv_sec, tv_usec, caplen, len: four 32-bit little-endian words. */
  header: Buffer;
  /** "LINKTYPE_ETHERNET", "LINKTYPE_LINUX_SLL", ... */
  link_type: string;
}

/** decode()'s third argument. */
export interface DecodeOptions {
  /** false: leave a radiotap packet's 802.11 frame raw (a Buffer view in `ieee802_11Frame`). */
  decodeLower?: boolean;
  /** Accepted for npm pcap's sake (its compiled radiotap decoder cache); not needed here. */
  radiotapCache?: object;
}
