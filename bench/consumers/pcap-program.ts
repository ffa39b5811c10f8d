/**
 * Capture consumer: one npm-pcap program, the same text whichever module
 * it is given: npm pcap 3.1.0 itself (its directory in bench/out/peers) or
 * this library's drop-in ('netmap-pcap/pcap'). argv: DEVICE BUFFER_BYTES
 * MODULE bare|decode.
 *
 * What a real program does per packet: bare, count it and read one byte
 * of `raw.buf`; decode, `pcap.decode.packet(raw)` and read one field of
 * the transport header (UDP's or TCP's dport; gen -p udp sends IPv4/UDP).
 */
import type { NpmPcap } from '../peers';
import { consumerArgs, serve } from './protocol';

const { device, bufferSize, extra: [moduleName, mode] } = consumerArgs();
if (!moduleName || (mode !== 'bare' && mode !== 'decode')) {
  process.stderr.write('usage: node pcap-program.js DEVICE BUFFER_BYTES MODULE bare|decode\n');
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pcap = require(moduleName) as NpmPcap;
// Its one warning here, "no IPv4 address assigned", is expected on the
// bench's address-less veth.
pcap.warningHandler = () => {};
// buffer_timeout 100 ms: the same batch timeout as the netmap-pcap consumers.
const session = pcap.createSession(device, { filter: '', buffer_size: bufferSize, buffer_timeout: 100 });
let captured = 0;
let sink = 0;
if (mode === 'decode') {
  session.on('packet', (raw) => {
    captured++;
    sink ^= pcap.decode.packet(raw).payload?.payload?.payload?.dport ?? 0;
  });
} else {
  session.on('packet', (raw) => {
    captured++;
    sink ^= raw.buf[0];
  });
}

serve({
  count: () => captured,
  stop: () => {
    const s = session.stats();
    session.close();
    if (sink === -1) console.error(sink); // keep what was read alive
    return { drop: s.ps_drop, recv: s.ps_recv };
  },
});
