/**
 * TcpReassembler: the FlowEngine stage that follows TCP connections,
 * keyed by VLAN and 5-tuple (both directions to one connection), and
 * turns each direction into an in-order byte stream (TcpStream).
 *
 * Memory is bounded three ways, each with its eviction:
 * - per stream, `maxBufferedBytes` of out-of-order data: the first hole is
 *   given up as a gap until the stream is under its bound;
 * - in total, `maxTotalBufferedBytes`: the least recently active
 *   connections give up their holes first;
 * - `maxConnections`: the least recently active connection is closed
 *   ('evicted').
 * Time is packet time: a connection idle for `idleTimeoutMs` closes
 * ('timeout'); a hole older than `gapTimeoutMs` becomes a gap.
 */
import { EventEmitter } from 'node:events';
import { TCP_FLAGS } from '../decode/tcp';
import { PcapError } from '../errors';
import type { FlowStage } from './engine';
import type { FlowPacket } from './packet';
import { TcpConnection, type TcpCloseReason } from './tcp-connection';
import type { BufferAccount } from './tcp-stream';

export interface TcpReassemblerOptions {
  /** Connections followed at once. Default 65536. */
  maxConnections?: number;
  /** Out-of-order bytes one direction may hold. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Out-of-order bytes all connections together may hold. Default 64 MiB. */
  maxTotalBufferedBytes?: number;
  /** Close a connection after this long without a packet (packet time, ms). Default 120000. */
  idleTimeoutMs?: number;
  /** Give up a hole after this long (packet time, ms). Default 10000. */
  gapTimeoutMs?: number;
}

export interface TcpReassemblerStats {
  /** Connections followed now. */
  connections: number;
  /** Connections ever created, and how they closed. */
  opened: number;
  closed: Record<TcpCloseReason, number>;
  /** Out-of-order bytes held now, by all streams. */
  bufferedBytes: number;
  /** TCP segments seen. */
  segments: number;
}

const positive = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v > 0)) throw new PcapError(`TcpReassembler: ${name} must be a number > 0, got ${String(v)}`, 'EINVAL');
  return v;
};

/** Events: `'connection'` (TcpConnection) when a connection is first seen, before its first segment is handled. */
export class TcpReassembler extends EventEmitter implements FlowStage {
  readonly maxConnections: number;
  readonly maxBufferedBytes: number;
  readonly maxTotalBufferedBytes: number;
  readonly idleTimeoutMs: number;
  readonly gapTimeoutMs: number;
  /** By key; Map order is least recently active first (re-inserted on every packet). */
  readonly #conns = new Map<string, TcpConnection>();
  readonly #account: BufferAccount = { bytes: 0 };
  #opened = 0;
  #segments = 0;
  readonly #closed: Record<TcpCloseReason, number> = { fin: 0, reset: 0, timeout: 0, evicted: 0, end: 0 };

  constructor(options: TcpReassemblerOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') throw new PcapError('TcpReassembler: options must be an object', 'EINVAL');
    this.maxConnections = positive(options.maxConnections, 'maxConnections', 65536);
    this.maxBufferedBytes = positive(options.maxBufferedBytes, 'maxBufferedBytes', 4 << 20);
    this.maxTotalBufferedBytes = positive(options.maxTotalBufferedBytes, 'maxTotalBufferedBytes', 64 << 20);
    this.idleTimeoutMs = positive(options.idleTimeoutMs, 'idleTimeoutMs', 120_000);
    this.gapTimeoutMs = positive(options.gapTimeoutMs, 'gapTimeoutMs', 10_000);
  }

  /** The connection key: VLAN and both endpoints, lower endpoint first. */
  static key(p: FlowPacket): string {
    const a = `${p.src}]${p.srcPort}`;
    const b = `${p.dst}]${p.dstPort}`;
    return a < b ? `${p.vlan}|${a}|${b}` : `${p.vlan}|${b}|${a}`;
  }

  /** The connection a packet belongs to, if followed. */
  connection(p: FlowPacket): TcpConnection | undefined {
    return this.#conns.get(TcpReassembler.key(p));
  }

  /** Every connection followed now, least recently active first. */
  connections(): IterableIterator<TcpConnection> {
    return this.#conns.values();
  }

  packet(p: FlowPacket): void {
    if (p.tcp === undefined) return;
    this.#segments++;
    const key = TcpReassembler.key(p);
    let c = this.#conns.get(key);
    if (c !== undefined) {
      this.#conns.delete(key);
      // A new SYN on a closed connection's tuple: the tuple is reused.
      if (c.state === 'closed' && (p.tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN) c = undefined;
    }
    if (c === undefined) {
      if (this.#conns.size >= this.maxConnections) this.#evictOldest();
      c = new TcpConnection(key, p.vlan, p, this.#account, this.maxBufferedBytes);
      this.#opened++;
      c.once('close', (reason: TcpCloseReason) => this.#closed[reason]++);
      this.emit('connection', c);
    }
    this.#conns.set(key, c);
    c.packet(p, this.gapTimeoutMs);
    if (this.#account.bytes > this.maxTotalBufferedBytes) this.#shed();
  }

  /** Close connections idle past `idleTimeoutMs`, and forget closed ones (they linger that long to absorb late packets). */
  tick(nowMs: number): void {
    for (const c of this.#conns.values()) {
      if (c.lastMs + this.idleTimeoutMs > nowMs) break;
      this.#conns.delete(c.key);
      c.close('timeout');
    }
  }

  /** End of input: every connection closes ('end'), holes become gaps. */
  flush(): void {
    for (const c of [...this.#conns.values()]) {
      this.#conns.delete(c.key);
      c.close('end');
    }
  }

  stats(): TcpReassemblerStats {
    return { connections: this.#conns.size, opened: this.#opened, closed: { ...this.#closed }, bufferedBytes: this.#account.bytes, segments: this.#segments };
  }

  #evictOldest(): void {
    for (const c of this.#conns.values()) {
      this.#conns.delete(c.key);
      c.close('evicted');
      return;
    }
  }

  /** Over the total bound: the least recently active connections give up their holes. */
  #shed(): void {
    for (const c of this.#conns.values()) {
      for (const s of [c.fromClient, c.fromServer]) {
        while (s.buffered > 0 && this.#account.bytes > this.maxTotalBufferedBytes) s.skipGap('memory');
      }
      if (this.#account.bytes <= this.maxTotalBufferedBytes) return;
    }
  }
}
