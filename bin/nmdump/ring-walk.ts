/**
 * Reading a live port for -w through its RX ring (the public fast API)
 * instead of the packet iterator: a ring slot carries what an iterator's
 * packet does not, the direction flag AF_PACKET sets on frames this host
 * sent (SLOT_OUTGOING), which pcapng keeps as epb_flags.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SLOT_OUTGOING } from '../../index';
import type { LiveSession, PacketHeader } from '../../index';
import type { PacketDirection } from '../../lib/packet';

/** Called per packet; `data` is valid until it returns. Return false to stop. */
export type Visit = (data: Uint8Array, header: PacketHeader, direction: PacketDirection | undefined) => boolean;

/**
 * Which way a slot's packet went, where the backend knows: AF_PACKET
 * says outgoing or not for every packet; the other backends do not flag
 * direction, so it is left out (epb_flags "not available").
 */
export function directionOf(backend: string, flags: number): PacketDirection | undefined {
  if (backend !== 'afpacket') return undefined;
  return (flags & SLOT_OUTGOING) !== 0 ? 'out' : 'in';
}

/**
 * Hand every packet of `session` to `visit` until it returns false, the
 * signal aborts or the session closes. One batch per turn of the event
 * loop, so signals and timers run; each slot is released before its visit
 * (as the session's own loops do), so stopping leaves the rest in the ring.
 */
export async function walkRing(session: LiveSession, signal: AbortSignal, visit: Visit): Promise<void> {
  const ring = session.rxRing();
  const backend = session.backend;
  const header: PacketHeader = { tsSec: 0, tsNsec: 0, caplen: 0, len: 0 };
  // waitForPackets() returns when woken: breakLoop() is the session's wake-up.
  const wake = (): void => session.breakLoop();
  signal.addEventListener('abort', wake, { once: true });
  try {
    while (!signal.aborted && !session.closed) {
      let h = ring.head;
      const t = ring.tail;
      if (h === t) {
        if (ring.sync() === 0 && !(await session.waitForPackets())) return;
        continue;
      }
      while (h !== t) {
        header.tsSec = ring.slotTsSec(h);
        header.tsNsec = ring.slotTsNsec(h);
        header.caplen = ring.slotCaplen(h);
        header.len = ring.slotLen(h);
        const direction = directionOf(backend, ring.slotFlags(h));
        const data = ring.slotView(h);
        h = ring.next(h);
        ring.advance(h);
        if (!visit(data, header, direction) || signal.aborted || session.closed) return;
      }
      await nextTurn();
    }
  } finally {
    signal.removeEventListener('abort', wake);
  }
}
