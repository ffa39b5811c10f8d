/**
 * Capture consumer: one cap program, the same text whichever module it is
 * given: cap 0.2.1 itself (its directory in bench/out/peers) or this
 * library's drop-in ('netmap-pcap/cap'). argv: DEVICE BUFFER_BYTES MODULE
 * bare|decode.
 *
 * cap copies each packet into the one Buffer handed to open() and emits
 * 'packet'(nbytes, truncated). Per packet, as a real program does: bare,
 * count it and read one byte of that buffer; decode, cap's decoders the
 * way its README walks a packet: Ethernet, then IPV4, then UDP or TCP,
 * reading the destination port.
 *
 * cap has no statistics call: its rows have no kernel drop count (the
 * table's captured-against-arrived shows any loss).
 */
import type { CapModule } from '../peers';
import { consumerArgs, serve } from './protocol';

const { device, bufferSize, extra: [moduleName, mode] } = consumerArgs();
if (!moduleName || (mode !== 'bare' && mode !== 'decode')) {
  process.stderr.write('usage: node cap-program.js DEVICE BUFFER_BYTES MODULE bare|decode\n');
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Cap, decoders } = require(moduleName) as CapModule;
const PROTOCOL = decoders.PROTOCOL;
const buffer = Buffer.alloc(65535);
const cap = new Cap();
cap.open(device, '', bufferSize, buffer);
let captured = 0;
let sink = 0;
if (mode === 'decode') {
  cap.on('packet', () => {
    captured++;
    const eth = decoders.Ethernet(buffer);
    if (eth.info.type !== PROTOCOL.ETHERNET.IPV4) return;
    const ip = decoders.IPV4(buffer, eth.offset);
    if (ip.info.protocol === PROTOCOL.IP.UDP) sink ^= decoders.UDP(buffer, ip.offset).info.dstport ?? 0;
    else if (ip.info.protocol === PROTOCOL.IP.TCP) sink ^= decoders.TCP(buffer, ip.offset).info.dstport ?? 0;
  });
} else {
  cap.on('packet', () => {
    captured++;
    sink ^= buffer[0];
  });
}

serve({
  count: () => captured,
  stop: () => {
    cap.close();
    if (sink === -1) console.error(sink); // keep what was read alive
    return { drop: null, recv: null };
  },
});
