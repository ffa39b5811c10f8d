/**
 * The flows part's captures, crafted here (no live transfer: the sizes
 * the bench needs, hundreds of MB, in seconds and without root), written
 * with our Dumper into bench/out/ and reused while their parameters hold.
 *
 * - TCP: CONNS connections between 198.18.0.0/16 clients and 198.19.0.0/16
 *   servers, interleaved round-robin as concurrent transfers are: a
 *   handshake, a 1 KiB request, a bulk answer in 1448-byte segments (the
 *   MSS of a 1500 MTU with timestamps off), an ACK from the client every
 *   second segment, FIN from both sides. Seeded: one data segment in 32
 *   is swapped with the next one of its connection (reordering the
 *   reassemblers must undo). Payload bytes are slices of a random pool.
 *   IPv4 header checksums are right; TCP checksums are 0 (no reader here
 *   checks them by default).
 * - Fragments: UDP datagrams of 4000 bytes, half over IPv4 (fragments of
 *   1480 bytes of payload), half over IPv6 (a fragment header, 1448-byte
 *   pieces); every eighth datagram's fragments in reverse order.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpOpen, openDead } from '../index';
import { internetChecksum } from '../lib/craft/checksum';
import { OUT } from './env';
import { mulberry32 } from './prng';

const GEN_VERSION = 2;
const MSS = 1448;


export interface TcpMeta { version: number; kind: 'tcp'; mib: number; conns: number; packets: number; bytes: number; payload: number }
export interface FragMeta { version: number; kind: 'frag'; mib: number; packets: number; bytes: number; datagrams: number }

interface Writer { put(frame: Buffer): void; close(): Promise<void>; packets: number; bytes: number }

function writer(path: string): Writer {
  mkdirSync(OUT, { recursive: true });
  const d = dumpOpen(openDead(1, 65535), path);
  const hdr = { tsSec: 1_700_000_000, tsNsec: 0, len: 0 };
  const w: Writer = {
    packets: 0, bytes: 24,
    put(frame) {
      hdr.len = frame.length;
      d.dump(frame, hdr);
      w.packets++; w.bytes += 16 + frame.length;
      hdr.tsNsec += 10_000;
      if (hdr.tsNsec >= 1e9) { hdr.tsSec++; hdr.tsNsec -= 1e9; }
    },
    close: () => d.close(),
  };
  return w;
}

function ethernet(type: number, body: Buffer): Buffer {
  const f = Buffer.allocUnsafe(14 + body.length);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  f.writeUInt16BE(type, 12);
  body.copy(f, 14);
  return f;
}

function v4(src: number, dst: number, proto: number, id: number, frag: number, body: Buffer): Buffer {
  const ip = Buffer.alloc(20 + body.length);
  ip[0] = 0x45; ip.writeUInt16BE(ip.length, 2); ip.writeUInt16BE(id & 0xffff, 4); ip.writeUInt16BE(frag, 6);
  ip[8] = 64; ip[9] = proto; ip.writeUInt32BE(src >>> 0, 12); ip.writeUInt32BE(dst >>> 0, 16);
  ip.writeUInt16BE(internetChecksum(ip, 0, 20), 10);
  body.copy(ip, 20);
  return ethernet(0x0800, ip);
}

function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, data?: Buffer): Buffer {
  const h = Buffer.alloc(20 + (data?.length ?? 0));
  h.writeUInt16BE(sport, 0); h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4); h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 0x50; h[13] = flags; h.writeUInt16BE(65535, 14);
  data?.copy(h, 20);
  return h;
}

const F = { FIN: 1, SYN: 2, PSH: 8, ACK: 16 } as const;

/** One connection as a queue of frames in its own order. */
function connection(i: number, answer: number, pool: Buffer, rnd: () => number): Buffer[] {
  const cli = (198 << 24) | (18 << 16) | ((i >>> 8) << 8) | (i & 0xff);
  const srv = (198 << 24) | (19 << 16) | (1 + (i % 200));
  const cp = 10_000 + (i % 50_000);
  const sp = 80;
  let cs = rnd(); let ss = rnd();
  const c2s = (flags: number, data?: Buffer): Buffer => v4(cli, srv, 6, 0, 0x4000, tcp(cp, sp, cs, ss, flags, data));
  const s2c = (flags: number, data?: Buffer): Buffer => v4(srv, cli, 6, 0, 0x4000, tcp(sp, cp, ss, cs, flags, data));
  const out: Buffer[] = [];
  out.push(c2s(F.SYN)); cs++;
  out.push(s2c(F.SYN | F.ACK)); ss++;
  out.push(c2s(F.ACK));
  const req = pool.subarray(0, 1024);
  out.push(c2s(F.PSH | F.ACK, req)); cs += req.length;
  const data: Buffer[] = [];
  for (let off = 0, k = 0; off < answer; off += MSS, k++) {
    const n = Math.min(MSS, answer - off);
    const at = (rnd() % (pool.length - MSS));
    data.push(s2c(F.ACK, pool.subarray(at, at + n))); ss += n;
    if (k % 2 === 1) data.push(c2s(F.ACK));
  }
  // Seeded reordering: swap a data segment with the next frame now and then.
  for (let k = 0; k + 1 < data.length; k++) if (rnd() % 32 === 0) { [data[k], data[k + 1]] = [data[k + 1], data[k]]; k++; }
  out.push(...data);
  out.push(s2c(F.FIN | F.ACK)); ss++;
  out.push(c2s(F.FIN | F.ACK)); cs++;
  out.push(s2c(F.ACK));
  return out;
}

async function makeTcp(path: string, mib: number, conns: number): Promise<TcpMeta> {
  const rnd = mulberry32(0x7c9e0001);
  const pool = Buffer.alloc(1 << 16);
  for (let i = 0; i < pool.length; i++) pool[i] = rnd() & 0xff;
  const perConn = Math.max(MSS, Math.floor((mib * 2 ** 20) / conns / 1.03));
  const w = writer(`${path}.tmp`);
  // Round-robin over the connections, a few frames of each at a time.
  const queues = Array.from({ length: conns }, (_, i) => connection(i, perConn, pool, rnd));
  const at = new Array<number>(conns).fill(0);
  let live = conns;
  while (live > 0) {
    live = 0;
    for (let c = 0; c < conns; c++) {
      const q = queues[c];
      for (let k = 0; k < 4 && at[c] < q.length; k++) w.put(q[at[c]++]);
      if (at[c] < q.length) live++;
    }
  }
  await w.close();
  renameSync(`${path}.tmp`, path);
  return { version: GEN_VERSION, kind: 'tcp', mib, conns, packets: w.packets, bytes: w.bytes, payload: conns * (perConn + 1024) };
}

function v6Fragment(src: number, dst: number, id: number, off: number, more: boolean, piece: Buffer): Buffer {
  const ip = Buffer.alloc(40 + 8 + piece.length);
  ip.writeUInt32BE(0x60000000, 0); ip.writeUInt16BE(8 + piece.length, 4); ip[6] = 44; ip[7] = 64;
  ip.writeUInt32BE(0x20010db8, 8); ip.writeUInt32BE(src >>> 0, 20);
  ip.writeUInt32BE(0x20010db8, 24); ip.writeUInt32BE(dst >>> 0, 36);
  ip[40] = 17; ip.writeUInt16BE((off & ~7) | (more ? 1 : 0), 42); ip.writeUInt32BE(id >>> 0, 44);
  piece.copy(ip, 48);
  return ethernet(0x86dd, ip);
}

async function makeFrag(path: string, mib: number): Promise<FragMeta> {
  const rnd = mulberry32(0xf4a90001);
  const SIZE = 4000;
  const udp = Buffer.alloc(8 + SIZE);
  for (let i = 8; i < udp.length; i++) udp[i] = rnd() & 0xff;
  udp.writeUInt16BE(udp.length, 4);
  const w = writer(`${path}.tmp`);
  const target = mib * 2 ** 20;
  let datagrams = 0;
  while (w.bytes < target) {
    const id = datagrams & 0xffff;
    const src = 0x0a000000 | (datagrams % 997); const dst = 0x0b000000 | (datagrams % 13);
    udp.writeUInt16BE(20_000 + (datagrams % 1000), 0); udp.writeUInt16BE(53, 2);
    const six = datagrams % 2 === 1;
    const step = six ? MSS : 1480;
    const frames: Buffer[] = [];
    for (let off = 0; off < udp.length; off += step) {
      const piece = udp.subarray(off, Math.min(udp.length, off + step));
      const more = off + step < udp.length;
      frames.push(six ? v6Fragment(src, dst, datagrams, off, more, piece)
        : v4((198 << 24) | (18 << 16) | (src & 0xffff), (198 << 24) | (19 << 16) | (dst & 0xffff), 17, id,
          (more ? 0x2000 : 0) | (off >>> 3), piece));
    }
    if (datagrams % 8 === 7) frames.reverse();
    for (const f of frames) w.put(f);
    datagrams++;
  }
  await w.close();
  renameSync(`${path}.tmp`, path);
  return { version: GEN_VERSION, kind: 'frag', mib, packets: w.packets, bytes: w.bytes, datagrams };
}

function reuse<M extends { version: number; mib: number; bytes: number }>(path: string, ok: (m: M) => boolean): M | null {
  try {
    const m = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as M;
    return m.version === GEN_VERSION && ok(m) && statSync(path).size === m.bytes ? m : null;
  } catch { return null; }
}

export async function ensureTcpCapture(mib: number, conns: number): Promise<{ path: string; meta: TcpMeta }> {
  const path = join(OUT, `flows-tcp-${mib}MiB-${conns}c.pcap`);
  let meta = reuse<TcpMeta>(path, (m) => m.mib === mib && m.conns === conns);
  if (!meta) { meta = await makeTcp(path, mib, conns); writeFileSync(`${path}.json`, `${JSON.stringify(meta)}\n`); }
  return { path, meta };
}

export async function ensureFragCapture(mib: number): Promise<{ path: string; meta: FragMeta }> {
  const path = join(OUT, `flows-frag-${mib}MiB.pcap`);
  let meta = reuse<FragMeta>(path, (m) => m.mib === mib);
  if (!meta) { meta = await makeFrag(path, mib); writeFileSync(`${path}.json`, `${JSON.stringify(meta)}\n`); }
  return { path, meta };
}

/** A capture with no packets: tshark's start-up and end on it are taken off its runs. */
export async function ensureEmptyCapture(): Promise<string> {
  const path = join(OUT, 'flows-empty.pcap');
  try { if (statSync(path).size === 24) return path; } catch { /* make it */ }
  const w = writer(path);
  await w.close();
  return path;
}
