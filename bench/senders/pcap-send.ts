/**
 * Sender: the npm `pcap` module's session.inject(), one frame per call
 * (libpcap's pcap_inject: one send() per frame). Bounded by COUNT and
 * SECONDS. argv: DEVICE single COUNT SIZE SECONDS PCAP_DIR.
 */
import { loadPcap } from '../peers';
import { makeFrames, measure, senderArgs } from './frames';

const { device, count, size, seconds, extra: [pcapDir] } = senderArgs(['single']);
const pcap = loadPcap(pcapDir);
// A small capture buffer: this session only sends.
const session = pcap.createSession(device, { filter: '', buffer_size: 1 << 20, buffer_timeout: 100 });
const frames = makeFrames(1024, size);

measure('npm pcap inject', seconds, (deadline) => {
  let sent = 0;
  while (sent < count) {
    session.inject(frames[sent & 1023]);
    sent++;
    if ((sent & 1023) === 0 && performance.now() > deadline) break;
  }
  return sent;
});
session.close();
