/**
 * Capture consumer: the npm `pcap` module (libpcap through nan). Its
 * 'packet' event hands one object per packet whose `buf` is a reused
 * snaplen-sized Buffer the packet was copied into. The handler counts and
 * reads one byte, like the others. argv: DEVICE BUFFER_BYTES PCAP_DIR.
 */
import { loadPcap } from '../peers';
import { consumerArgs, serve } from './protocol';

const { device, bufferSize, extra: [pcapDir] } = consumerArgs();
const pcap = loadPcap(pcapDir);
// buffer_timeout 100 ms: the same batch timeout as the netmap-pcap consumers.
const session = pcap.createSession(device, { filter: '', buffer_size: bufferSize, buffer_timeout: 100 });
let captured = 0;
let sink = 0;
session.on('packet', (raw) => {
  captured++;
  sink ^= raw.buf[0];
});

serve({
  count: () => captured,
  stop: () => {
    const s = session.stats();
    session.close();
    if (sink === -1) console.error(sink);
    return { drop: s.ps_drop, recv: s.ps_recv };
  },
});
