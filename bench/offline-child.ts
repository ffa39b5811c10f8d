/**
 * One offline reader, run in a process of its own by bench/offline.ts:
 *
 *   node offline-child.js MODE FILE [FILTER]
 *
 * MODE:
 *   loop         netmap-pcap openOffline() + loop(0, cb): a Buffer view and
 *                the reused header per packet (the convenient API)
 *   dispatch     the same through dispatch(-1, cb), waiting with
 *                waitForPackets() when it hands out nothing
 *   packet       a 'packet' listener, until 'end'
 *   iterator     for await (const p of session): a packet object and a
 *                resolved promise per packet
 *   iterator-floor  no reading at all: a bare async iterator handing out
 *                as many packet objects (a view, the header fields) as the
 *                file holds, each in a resolved promise: what the
 *                protocol itself costs (the file is counted before the clock)
 *   ring         netmap-pcap openOffline(), its ring walked in place: the
 *                slots the session's sync() publishes (filter already run
 *                in C), read with typed-array reads, nothing allocated per
 *                packet. Offline sessions have no public rxRing() yet, so
 *                this reaches the session's source (the ring model every
 *                session sits on) and waits for reads with next().
 *   pcap-parser  npm pcap-parser 0.2.1: parse only (it has no filter)
 *
 * Every handler counts the packet and reads its first byte. Prints one line
 * `result {"packets":N,"wallNs":…,"cpuNs":…}`: wall clock and user+sys CPU
 * (process.cpuUsage(): every thread, GC and libuv's file reads included)
 * from just before the file is opened to the end of the file, so Node's
 * own start-up and module loading are not counted.
 */
import { openOffline, ringLayout } from '../index';
import type { OfflineSession, Packet } from '../index';
import { PacketBuffer } from '../lib/packet';

const [mode, file, filter] = process.argv.slice(2);
if (!mode || !file) {
  process.stderr.write('usage: node offline-child.js loop|dispatch|packet|iterator|ring|pcap-parser FILE [FILTER]\n');
  process.exit(2);
}

let sink = 0;

async function viaLoop(): Promise<number> {
  const s = await openOffline(file, filter ? { filter } : {});
  let n = 0;
  await s.loop(0, (data) => {
    n++;
    sink ^= data[0];
  });
  s.close();
  return n;
}

async function viaDispatch(): Promise<number> {
  const s = await openOffline(file, filter ? { filter } : {});
  let n = 0;
  const cb = (data: Buffer): void => { n++; sink ^= data[0]; };
  do {
    while (s.dispatch(-1, cb) > 0) { /* a ring's worth per call */ }
  } while (await s.waitForPackets());
  s.close();
  return n;
}

function viaPacket(): Promise<number> {
  return openOffline(file, filter ? { filter } : {}).then((s) => new Promise((resolve, reject) => {
    let n = 0;
    s.on('packet', (data: Buffer) => { n++; sink ^= data[0]; });
    s.on('error', reject);
    s.on('end', () => { s.close(); resolve(n); });
  }));
}

async function viaIterator(): Promise<number> {
  const s = await openOffline(file, filter ? { filter } : {});
  let n = 0;
  for await (const p of s) {
    n++;
    sink ^= p.data[0];
  }
  s.close();
  return n;
}

let floorCount = 0;

async function viaIteratorFloor(): Promise<number> {
  const ab = new ArrayBuffer(1 << 20);
  let i = 0;
  const done: IteratorResult<Packet> = { value: undefined, done: true };
  const it: AsyncIterableIterator<Packet> = {
    next: () => (i++ >= floorCount ? Promise.resolve(done) : Promise.resolve({
      value: { data: new PacketBuffer(ab, i & 0xffff, 64), tsSec: i, tsNsec: 0, caplen: 64, len: 64,
        linktype: 1, owned: false },
      done: false,
    })),
    [Symbol.asyncIterator]: () => it,
  };
  let n = 0;
  for await (const p of it) {
    n++;
    sink ^= p.data[0];
  }
  return n;
}

/** The ring and source behind a session: see the header comment. */
interface SourceView { words: Uint32Array; buffer: ArrayBuffer; numSlots: number; ended: boolean; sync(): void }

async function viaRing(): Promise<number> {
  const s: OfflineSession = await openOffline(file, filter ? { filter } : {});
  const src = (s as unknown as { source: SourceView }).source;
  const { words, numSlots } = src;
  const bytes = new Uint8Array(src.buffer);
  const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET } = ringLayout;
  let n = 0;
  for (;;) {
    src.sync(); // release what was walked, publish (and filter) the next batch
    let i = words[HEAD];
    const tail = words[TAIL];
    if (i === tail) {
      // Parsed out: next() waits for the next read and takes one packet.
      const p = await s.next();
      if (p === null) break;
      n++;
      sink ^= p.data[0];
      continue;
    }
    while (i !== tail) {
      sink ^= bytes[words[SLOT0 + i * SLOT_WORDS + OFFSET]];
      n++;
      i = i + 1 === numSlots ? 0 : i + 1;
    }
    words[HEAD] = words[CUR] = i;
  }
  s.close();
  return n;
}

interface PcapParserStream {
  on(event: 'packet', cb: (p: { header: unknown; data: Buffer }) => void): this;
  on(event: 'end', cb: () => void): this;
  on(event: 'error', cb: (e: Error) => void): this;
}

function viaPcapParser(): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pcapp = require('pcap-parser') as { parse(input: string): PcapParserStream };
  return new Promise((resolve, reject) => {
    let n = 0;
    pcapp.parse(file)
      .on('packet', (p) => {
        n++;
        sink ^= p.data[0];
      })
      .on('end', () => resolve(n))
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  if (mode === 'pcap-parser' && filter) throw new Error('pcap-parser has no filter');
  const modes: Record<string, () => Promise<number>> = {
    loop: viaLoop, dispatch: viaDispatch, packet: viaPacket, iterator: viaIterator, ring: viaRing,
    'iterator-floor': viaIteratorFloor,
    'pcap-parser': viaPcapParser,
  };
  const run = modes[mode] ?? null;
  if (!run) throw new Error(`unknown mode ${mode}`);
  if (mode === 'iterator-floor') floorCount = await viaRing();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const packets = await run();
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (sink === -1) console.error(sink);
  process.stdout.write(`result ${JSON.stringify({ packets, wallNs, cpuNs: (cpu.user + cpu.system) * 1000 })}\n`);
}

main().catch((err: Error & { code?: string }) => {
  process.stderr.write(`error: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
  process.exit(1);
});
