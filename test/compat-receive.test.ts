// The drop-ins' per-packet delivery (compat/pcap createSession, compat/cap
// Cap) on pipe: ports: what each packet event carries, byte for byte, and
// EventEmitter's meaning kept for their own 'packet' listeners.
import t, { Test } from 'tap';
import * as pcap from '../compat/pcap/pcap';
import { Cap } from '../compat/cap';
import { openLive, LiveSession, PacketHeader } from '../index';
import { seqFrame, seqOf, udpFrame } from './fixtures/frames';

let unique = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 5000; !cond();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** A pipe: the sending end (ours) and the name of the receiving end. */
function pipe(t: Test): { tx: LiveSession; rxName: string } {
  const name = `cr${process.pid}-${unique++}`;
  const tx = openLive(`pipe:${name}{0`);
  t.teardown(() => tx.close());
  return { tx, rxName: `pipe:${name}}0` };
}

t.test('compat/pcap: { buf, header, link_type } per packet, the header bytes npm pcap gives', async (t) => {
  const { tx, rxName } = pipe(t);
  const s = pcap.createSession(rxName, { buffer_timeout: 0 });
  t.teardown(() => s.close());
  const seen: { buf: Buffer; header: Buffer; link_type: string; header16: Buffer; lib: PacketHeader }[] = [];
  let lib: PacketHeader | undefined;
  // The library session's own header, for the same packet (its listeners run after compat's).
  s.session!.on('packet', (_d, h) => { lib = { ...h }; });
  const raws: unknown[] = [];
  s.on('packet', (raw: pcap.PacketWithHeader) => {
    raws.push(raw);
    seen.push({ buf: Buffer.from(raw.buf), header: raw.header, link_type: raw.link_type, header16: Buffer.from(raw.header), lib: lib! });
    t.ok(Buffer.isBuffer(raw.buf) && raw.buf.length === raw.header.readUInt32LE(8), 'buf is a Buffer of caplen bytes');
    const decoded = pcap.decode.packet(raw);
    t.equal(decoded.payload?.payload?.payload?.dport, 9 + seen.length - 1, 'decode.packet decodes it, in the listener');
  });
  const frames = Array.from({ length: 5 }, (_, i) => udpFrame(9 + i, 18 + i));
  tx.injectBatch(frames);
  await until(() => seen.length === 5, '5 packets');
  // The library's header for packet i is read by its listener after compat's
  // for packet i, i.e. before compat's listener for packet i+1 runs.
  for (let i = 0; i < 5; i++) {
    t.ok(seen[i].buf.equals(frames[i]), `packet ${i}: the bytes sent`);
    t.equal(seen[i].link_type, 'LINKTYPE_ETHERNET');
    t.equal(seen[i].header, seen[0].header, 'one header Buffer, reused, as npm pcap does');
    const h = seen[i].header16;
    t.equal(h.readUInt32LE(8), frames[i].length, 'caplen');
    t.equal(h.readUInt32LE(12), frames[i].length, 'len');
  }
  for (let i = 0; i < 4; i++) {
    const h = seen[i + 1].lib; // the library's header of packet i (see above)
    t.equal(seen[i].header16.readUInt32LE(0), h.tsSec, `packet ${i}: tv_sec`);
    t.equal(seen[i].header16.readUInt32LE(4), Math.floor(h.tsNsec / 1000), `packet ${i}: tv_usec = floor(ns / 1000)`);
  }
  t.equal(new Set(raws).size, 5, 'a new PacketWithHeader per packet, as npm pcap makes');
});

t.test('compat/pcap: on_packet_ready can be replaced; listener changes take effect at the next packet', async (t) => {
  const { tx, rxName } = pipe(t);
  const s = pcap.createSession(rxName, { buffer_timeout: 0 });
  t.teardown(() => s.close());
  const calls: string[] = [];
  const late = (raw: pcap.PacketWithHeader) => calls.push(`late${seqOf(raw.buf)}`);
  s.on('packet', (raw: pcap.PacketWithHeader) => {
    const seq = seqOf(raw.buf);
    calls.push(`a${seq}`);
    if (seq === 0) s.on('packet', late);
    if (seq === 1) s.once('packet', (r: pcap.PacketWithHeader) => calls.push(`once${seqOf(r.buf)}`));
    if (seq === 2) s.off('packet', late);
  });
  tx.injectBatch([0, 1, 2, 3].map((i) => seqFrame(i, 60)));
  await until(() => calls.includes('a3'), 'four packets');
  t.same(calls, ['a0', 'a1', 'late1', 'a2', 'late2', 'once2', 'a3']);

  const overridden: number[] = [];
  const original = s.on_packet_ready;
  s.on_packet_ready = function (this: pcap.PcapSession) {
    overridden.push(seqOf(this.buf!));
    original.call(this);
  };
  tx.injectBatch([seqFrame(4, 60)]);
  await until(() => calls.includes('a4'), 'packet 4');
  t.same(overridden, [4], 'an own on_packet_ready is called per packet, with buf set');

  s.removeAllListeners('packet');
  const again: number[] = [];
  s.on('packet', (raw: pcap.PacketWithHeader) => again.push(seqOf(raw.buf)));
  tx.injectBatch([seqFrame(5, 60)]);
  await until(() => again.length === 1, 'packet 5');
  t.same(again, [5], 'listeners added after removeAllListeners() are called');
  t.notOk(calls.includes('a5'));
});

t.test('compat/cap: each packet copied into the caller\'s buffer, nbytes and truncated', async (t) => {
  const { tx, rxName } = pipe(t);
  const c = new Cap();
  const buffer = Buffer.alloc(100);
  t.teardown(() => c.close());
  c.open(rxName, '', 1 << 20, buffer);
  const seen: { nbytes: number; truncated: boolean; bytes: Buffer }[] = [];
  c.on('packet', (nbytes: number, truncated: boolean) => {
    seen.push({ nbytes, truncated, bytes: Buffer.from(buffer.subarray(0, nbytes)) });
  });
  const frames = [seqFrame(0, 60), seqFrame(1, 100), seqFrame(2, 101), seqFrame(3, 1514), seqFrame(4, 64)];
  tx.injectBatch(frames);
  await until(() => seen.length === 5, '5 packets');
  t.same(seen.map((s) => [s.nbytes, s.truncated]), [[60, false], [100, false], [100, true], [100, true], [64, false]]);
  for (let i = 0; i < 5; i++) t.ok(seen[i].bytes.equals(frames[i].subarray(0, seen[i].nbytes)), `packet ${i}: its bytes`);

  const calls: string[] = [];
  c.removeAllListeners('packet');
  c.on('packet', () => {
    calls.push(`a${buffer.readUInt32BE(14)}`);
    if (buffer.readUInt32BE(14) === 10) c.once('packet', () => calls.push(`once${buffer.readUInt32BE(14)}`));
    if (buffer.readUInt32BE(14) === 11) c.close();
  });
  tx.injectBatch([10, 11, 12].map((i) => seqFrame(i, 60)));
  await until(() => calls.length >= 3, 'three calls');
  await sleep(20);
  t.same(calls, ['a10', 'a11', 'once11'], 'once gets the next packet; nothing after close()');
});
