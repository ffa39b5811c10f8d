// Capture a few packets and print one line each, tcpdump-style.
//
//   sudo node dist/examples/capture.js [DEVICE] [COUNT] [--ping]
//
// DEVICE defaults to lo, COUNT to 10. It stops after COUNT packets or 10
// seconds. --ping sends a small UDP datagram to 127.0.0.1 every 100 ms so a
// quiet loopback has something to show.
import { createSocket } from 'node:dgram';
import { openLive, PacketHeader, PcapError } from '../index';

const args = process.argv.slice(2);
const ping = args.includes('--ping');
const [device = 'lo', countArg = '10'] = args.filter((a) => a !== '--ping');
const count = Number(countArg);

function describe(data: Buffer): string {
  if (data.length < 14) return 'runt frame';
  const type = data.readUInt16BE(12);
  if (type === 0x0800 && data.length >= 34) {
    const proto = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' }[data[23]] ?? `proto ${data[23]}`;
    return `IP ${data.subarray(26, 30).join('.')} > ${data.subarray(30, 34).join('.')}: ${proto}`;
  }
  if (type === 0x86dd) return 'IPv6';
  if (type === 0x0806) return 'ARP';
  return `ethertype 0x${type.toString(16).padStart(4, '0')}`;
}

function time(h: PacketHeader): string {
  const d = new Date(h.tsSec * 1000);
  return `${d.toISOString().slice(11, 19)}.${String(h.tsNsec).padStart(9, '0')}`;
}

async function main(): Promise<void> {
  const session = openLive(device, { timeout: 50 });
  console.error(`capturing on ${device} (${session.backend}), link type ${session.datalink()}`);
  const pinger = ping ? createSocket('udp4') : undefined;
  const timer = pinger && setInterval(() => pinger.send('netmap-pcap', 9, '127.0.0.1'), 100);
  const stop = setTimeout(() => session.breakLoop(), 10_000);
  const seen = await session.loop(count, (data, h) => {
    console.log(`${time(h)} ${describe(data)}, length ${h.len}`);
  });
  clearTimeout(stop);
  clearInterval(timer);
  pinger?.close();
  const s = session.stats();
  session.close();
  console.error(`${seen} packets captured\n${s.recv} packets received by filter\n${s.drop} packets dropped by kernel`);
}

main().catch((e: PcapError) => {
  console.error(`capture: ${e.message}${e.code ? ` (${e.code})` : ''}`);
  process.exit(1);
});
