/**
 * Capture consumer: netmap-pcap's convenient API, the 'packet' event.
 * Each packet is a Buffer view over ring memory plus the reused header;
 * the handler counts it and reads one byte, as the least real code does.
 */
import { openLive } from '../../index';
import { consumerArgs, serve } from './protocol';

const { device, bufferSize } = consumerArgs();
const session = openLive(device, { bufferSize, timeout: 100 });
let captured = 0;
let sink = 0;
session.on('packet', (data) => {
  captured++;
  sink ^= data[0];
});

serve({
  count: () => captured,
  stop: () => {
    const { drop, recv } = session.stats();
    session.close();
    if (sink === -1) console.error(sink); // keep the byte read alive
    return { drop, recv };
  },
});
