/**
 * Sender: netmap-pcap injection, bounded by COUNT frames and SECONDS.
 *   batch          injectBatch() with 1024 prebuilt frames per call: frames
 *                  are copied into the PACKET_TX_RING, one send() per ring-full
 *   single         inject() once per frame: frames are queued in the TX
 *                  ring, one send() per ring-full (transparent batching)
 *   batch-inbound  batch, on a session opened with filter 'inbound': the
 *                  session's RX socket then skips our own outgoing frames
 *                  in the kernel (see the notes in RESULTS.md)
 * argv: DEVICE MODE COUNT SIZE SECONDS.
 */
import { openLive } from '../../index';
import { makeFrames, measure, senderArgs } from './frames';

const BATCH = 1024;
const { device, mode, count, size, seconds } = senderArgs(['batch', 'single', 'batch-in']);
// batch-in: a session that only sends says so (direction 'in'), and the
// kernel stops copying its own outgoing frames into its receive ring.
const session = openLive(device, mode === 'batch-in' ? { direction: 'in' } : {});
session.txRing(); // set the TX ring up before the clock starts
const frames = makeFrames(BATCH, size);

measure(`netmap-pcap ${mode}`, seconds, (deadline) => {
  let sent = 0;
  if (mode === 'single') {
    while (sent < count) {
      sent += session.inject(frames[sent % BATCH]) > 0 ? 1 : 0;
      if ((sent & 1023) === 0 && performance.now() > deadline) break;
    }
  } else {
    while (sent < count && performance.now() < deadline) {
      sent += session.injectBatch(count - sent >= BATCH ? frames : frames.slice(0, count - sent));
    }
  }
  session.flush(); // what the last ring-full left queued goes inside the clock
  return sent;
});
session.close();
