/**
 * Savefile format constants: pcap (libpcap's classic format) and pcapng.
 *
 * Facts from the pcap-savefile(5) man page, the pcapng specification
 * (draft-ietf-opsawg-pcapng) and libpcap's sf-pcap.c / sf-pcapng.c, whose
 * limits we follow so that a file tcpdump reads, we read, and a file it
 * rejects we reject too.
 */

// --- pcap ------------------------------------------------------------------

/** Magic of a pcap file with microsecond timestamps (read as a uint32). */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
/** Magic of a pcap file with nanosecond timestamps. */
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** Alexey Kuznetzov's patched format: µs, 24-byte record headers. */
export const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;

/** File header: magic, version major/minor, thiszone, sigfigs, snaplen, linktype. */
export const PCAP_FILE_HEADER_LEN = 24;
/** Record header: ts_sec, ts_usec (or ts_nsec), caplen, len. */
export const PCAP_RECORD_HEADER_LEN = 16;
/** Kuznetzov's record header adds ifindex, protocol, pkt_type and padding. */
export const PCAP_KUZNETZOV_RECORD_HEADER_LEN = 24;

export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;

/** The link-type field's low 26 bits are the LINKTYPE_ value (LT_LINKTYPE). */
export const LINKTYPE_MASK = 0x03ffffff;

// --- pcapng ----------------------------------------------------------------

/** Section Header Block; its type reads the same in both byte orders. */
export const BT_SHB = 0x0a0d0d0a;
/** Interface Description Block. */
export const BT_IDB = 0x00000001;
/** Packet Block (obsolete, still read). */
export const BT_PB = 0x00000002;
/** Simple Packet Block. */
export const BT_SPB = 0x00000003;
/** Name Resolution Block. */
export const BT_NRB = 0x00000004;
/** Interface Statistics Block. */
export const BT_ISB = 0x00000005;
/** Enhanced Packet Block. */
export const BT_EPB = 0x00000006;
/** Decryption Secrets Block. */
export const BT_DSB = 0x0000000a;
/** Custom blocks (copiable / not copiable); skipped like any unknown block. */
export const BT_CUSTOM = 0x00000bad;
export const BT_CUSTOM_NOCOPY = 0x40000bad;

/** The SHB's byte-order magic, written in the section's byte order. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Block type + total length in front, total length again at the end. */
export const BLOCK_HEADER_LEN = 8;
export const BLOCK_TRAILER_LEN = 4;
export const MIN_BLOCK_LEN = BLOCK_HEADER_LEN + BLOCK_TRAILER_LEN;
/** SHB fixed part: byte-order magic, major, minor, 64-bit section length. */
export const SHB_FIXED_LEN = 16;
/** IDB fixed part: linktype (16 bits), reserved (16), snaplen (32). */
export const IDB_FIXED_LEN = 8;
/** EPB fixed part: interface id, ts high, ts low, caplen, len. */
export const EPB_FIXED_LEN = 20;
/** SPB fixed part: original length. */
export const SPB_FIXED_LEN = 4;
/** PB fixed part: interface id (16), drops (16), ts high, ts low, caplen, len. */
export const PB_FIXED_LEN = 20;

/** Option codes we read. */
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const IF_NAME = 2;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;
export const SHB_USERAPPL = 4;

/** Versions libpcap accepts for the first section: 1.0 and 1.2. */
export const PCAPNG_VERSION_MAJOR = 1;

// --- limits ----------------------------------------------------------------

/**
 * Largest captured length of one packet we accept: 256 KiB, libpcap's
 * MAXIMUM_SNAPLEN. (libpcap allows more for DLT_DBUS, DLT_EBHSCR and
 * DLT_USBPCAP; we do not, so a ring slot never needs more than this.)
 */
export const MAX_RECORD = 256 * 1024;

/** Largest pcapng block we accept (libpcap's INITIAL_MAX_BLOCKSIZE). */
export const MAX_BLOCK = 16 * 1024 * 1024;

/** Largest SHB we accept (libpcap's BT_SHB_INSANE_MAX). */
export const MAX_SHB = 1024 * 1024;

/** Comments kept per parser, so a hostile file cannot grow memory without bound. */
export const MAX_COMMENTS = 4096;
