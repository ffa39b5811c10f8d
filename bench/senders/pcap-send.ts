/**
 * Sender: the npm `pcap` module's session.inject(), one frame per call
 * (libpcap's pcap_inject: one send() per frame). Bounded by COUNT and
 * SECONDS. argv: DEVICE single COUNT SIZE SECONDS PCAP_DIR.
 *
 * inject() throws "Pcap inject failed." when send() fails; on veth that is
 * ENOBUFS, the peer's 256-frame ring being full. Like gen, the sender then
 * retries the same frame, and counts the retries.
 */
import { loadPcap } from '../peers';
import { makeFrames, measure, senderArgs } from './frames';

const { device, count, size, seconds, extra: [pcapDir] } = senderArgs(['single']);
const pcap = loadPcap(pcapDir);
// A small capture buffer: this session only sends.
const session = pcap.createSession(device, { filter: '', buffer_size: 1 << 20, buffer_timeout: 100 });
const frames = makeFrames(1024, size);

let retries = 0;
measure('npm pcap inject', seconds, (deadline) => {
  let sent = 0;
  while (sent < count) {
    try {
      session.inject(frames[sent & 1023]);
      sent++;
    } catch {
      retries++;
      if (performance.now() > deadline) break;
      continue;
    }
    if ((sent & 1023) === 0 && performance.now() > deadline) break;
  }
  return sent;
}, () => ({ retries }));
session.close();
// npm pcap 3.1.0 keeps the process alive after close() (its poll handle
// stays open; measured: a bare createSession + close never exits).
process.exit(0);
