/**
 * Sender: netmap-pcap injection, bounded by COUNT frames and SECONDS.
 *   batch          injectBatch() with 1024 prebuilt frames per call: frames
 *                  are copied into the PACKET_TX_RING, one send() per ring-full
 *   single         inject() once per frame: frames are queued in the TX
 *                  ring, one send() per ring-full (transparent batching)
 *   batch-in       batch, on a session opened with direction 'in' (the
 *                  kernel then skips every outgoing frame for its ring;
 *                  its own frames it skips either way)
 * argv: DEVICE MODE COUNT SIZE SECONDS.
 */
import { openLive, PcapError } from '../../index';
import { makeFrames, measure, senderArgs } from './frames';

const BATCH = 1024;
const { device, mode, count, size, seconds } = senderArgs(['batch', 'single', 'batch-in']);
// batch-in: a session that only sends may say so (direction 'in').
const session = openLive(device, mode === 'batch-in' ? { direction: 'in' } : {});
session.txRing(); // set the TX ring up before the clock starts
const frames = makeFrames(BATCH, size);

// A ring that stays full for txWaitMs (20 ms: the receiver's thread did not
// run) throws EAGAIN with `sent`; like gen on ENOBUFS, go on from there.
let retries = 0;
const again = (e: unknown): number => {
  if ((e as PcapError).code !== 'EAGAIN') throw e;
  retries++;
  return (e as PcapError & { sent: number }).sent;
};

measure(`netmap-pcap ${mode}`, seconds, (deadline) => {
  let sent = 0;
  if (mode === 'single') {
    while (sent < count) {
      try {
        session.inject(frames[sent % BATCH]);
        sent++;
      } catch (e) {
        again(e);
        if (performance.now() > deadline) break;
        continue;
      }
      if ((sent & 1023) === 0 && performance.now() > deadline) break;
    }
  } else {
    while (sent < count && performance.now() < deadline) {
      const k = Math.min(BATCH, count - sent);
      const first = sent % BATCH;
      const part = first === 0 && k === BATCH ? frames : frames.slice(first, first + k);
      try {
        sent += session.injectBatch(part);
      } catch (e) {
        sent += again(e);
      }
    }
  }
  session.flush(); // what the last ring-full left queued goes inside the clock
  return sent;
}, () => ({ retries }));
session.close();
