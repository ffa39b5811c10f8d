/**
 * Capture consumer: netmap-pcap's fast path, the RX ring walked in place.
 * Per packet: two typed-array reads and one byte read; nothing allocated.
 * Per batch: one sync() (release the last batch, publish the next).
 *
 * The walk is synchronous, as it would be in a worker; between batches it
 * yields to the event loop (setImmediate) so the progress timer and the
 * `stop` line still get through.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { openLive, ringLayout } from '../../index';
import { consumerArgs, serve } from './protocol';

const { device, bufferSize } = consumerArgs();
const session = openLive(device, { bufferSize, timeout: 100 });
const ring = session.rxRing();
const { SLOT0, SLOT_WORDS, OFFSET } = ringLayout;
const { words, bytes, numSlots } = ring;

let captured = 0;
let sink = 0;
let stopped = false;

async function walk(): Promise<void> {
  while (!stopped) {
    ring.sync(); // releases what was advanced past, publishes new slots
    let i = ring.head;
    const tail = ring.tail;
    if (i === tail) {
      // Nothing ready: block in poll briefly, then let the loop breathe.
      if (!session.waitReadable(20)) await yieldToLoop();
      continue;
    }
    while (i !== tail) {
      sink ^= bytes[words[SLOT0 + i * SLOT_WORDS + OFFSET]];
      captured++;
      i = i + 1 === numSlots ? 0 : i + 1;
    }
    ring.advance(i);
    await yieldToLoop();
  }
}
const done = walk();

serve({
  count: () => captured,
  stop: async () => {
    stopped = true;
    await done;
    const { drop, recv } = session.stats();
    session.close();
    if (sink === -1) console.error(sink);
    return { drop, recv };
  },
});
