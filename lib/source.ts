/**
 * What a session reads packets from.
 *
 * A source keeps a netmap-style RX ring (see ring.ts) in memory JS can
 * read: `words` holds the ring header and slot descriptors, `buffer` the
 * packet bytes the slots point into. `sync()` is the one call per batch:
 * it takes back the slots before head and publishes what is ready. A live
 * port does that in C over a kernel ring; a savefile does it by parsing
 * the next records of the file.
 *
 * Readiness is pushed: while the session wants it (`want(true)`), the
 * source calls the `ready` callback it was given whenever `sync()` may
 * publish more, or when it failed (`ready(error)`), or when it has ended.
 */
export interface PacketSource {
  readonly words: Uint32Array;
  readonly buffer: ArrayBuffer;
  readonly numSlots: number;
  /** The link type of slot flags' interface index 0 (DLT_*). */
  readonly linktype: number;
  readonly snaplen: number;
  /** No packet will ever come again (end of file). */
  readonly ended: boolean;
  /**
   * Set when an error has ended the source (a corrupt or truncated
   * savefile): it has released what it held and delivers nothing more,
   * and the session ends too (docs/shapes.md §5).
   */
  readonly failed?: Error | null;
  /** Slot flags say which way each packet went (SLOT_OUTGOING or not). */
  readonly knowsDirection?: boolean;
  /** Take back the slots before head, publish ready ones. Never waits. */
  sync(): void;
  /** Start or stop readiness callbacks. */
  want(on: boolean): void;
  /** Link type of the packet in slot i (savefiles may mix them). */
  linktypeOf(slot: number): number;
  setFilter(expression: string | null): void;
  stats(): { recv: number; drop: number; ifdrop: number };
  close(): void;
}

/** How a source reports readiness to its session. */
export type ReadyCallback = (error?: Error) => void;
