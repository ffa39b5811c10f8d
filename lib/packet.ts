/**
 * What a packet looks like when it reaches JavaScript.
 */

/**
 * The per-packet header. In `dispatch` / `loop` callbacks and `'packet'`
 * events it is one object, reused for every packet: read it during the
 * callback, copy what you keep (or pass `{ copy: true }`).
 */
export interface PacketHeader {
  /** Seconds of the capture time (Unix epoch). */
  tsSec: number;
  /** Nanoseconds within the second. */
  tsNsec: number;
  /** Bytes captured (at most the snaplen). */
  caplen: number;
  /** Bytes the packet had on the wire. */
  len: number;
  /** 'in' or 'out' where the port knows (live AF_PACKET ports: the
   * kernel's PACKET_OUTGOING); undefined elsewhere. */
  direction?: PacketDirection;
}

/**
 * Called once per packet. Unless `{ copy: true }` was asked for, `data` is a
 * view over ring memory, leased for the duration of the call: the ring
 * reuses that memory afterwards, and after `close()` the view is empty.
 * Use `Buffer.from(data)` to keep a packet.
 */
export type PacketHandler = (data: Buffer, header: PacketHeader) => void;

/** A packet as `next()` and the async iterator hand it out. */
export interface Packet extends PacketHeader {
  data: Buffer;
  /** The link type (DLT_*) of `data`, e.g. 1 for Ethernet. */
  linktype: number;
  /**
   * true: `data` is a copy the packet owns. false: `data` is leased from
   * the ring until the iterator moves to the next packet.
   */
  owned: boolean;
}

export interface DispatchOptions {
  /** Hand each callback its own copy of the bytes and of the header
   * (slower: one allocation and copy per packet). Default false. */
  copy?: boolean;
}

/**
 * The class of every leased `data` view: a Uint8Array subclass whose
 * prototype chain holds Buffer.prototype, so `Buffer.isBuffer(data)` is
 * true and every Buffer method works, at the cost of a typed-array
 * constructor (`Buffer.from(ab, offset, n)` costs about twice that: its
 * argument checks). Named Buffer so that it prints as one.
 */
export const PacketBuffer = class Buffer extends Uint8Array {} as unknown as
  new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;
Object.setPrototypeOf(PacketBuffer.prototype, Buffer.prototype);

/**
 * The way a packet travelled, where the backend knows it: 'in' (received
 * by this host) or 'out' (sent by it). On AF_PACKET ports the kernel says
 * (PACKET_OUTGOING, seen as the RX slot flag SLOT_OUTGOING); pcapng files
 * store it as epb_flags.
 */
export type PacketDirection = 'in' | 'out';
