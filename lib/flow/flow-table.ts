/**
 * FlowTable: the FlowEngine stage that counts packets and bytes per flow —
 * both directions of a 5-tuple plus VLAN in one biflow record (RFC 5103),
 * the initiator being the sender of the first packet seen — and emits a
 * FlowRecord when the flow expires:
 * - idle: no packet for `idleTimeoutMs` (packet time);
 * - active: the flow has lasted `activeTimeoutMs` (a record is emitted and
 *   counting starts again, so long flows report periodically);
 * - end of flow: TCP RST, or FINs from both sides, then
 *   `tcpEndTimeoutMs` for the last ACKs;
 * - forced: flush() (end of input);
 * - lack of resources: `maxFlows` reached, the least recently active goes.
 * Fragments count once, as the datagram the defragmenter rebuilt.
 */
import { EventEmitter } from 'node:events';
import { TCP_FLAGS } from '../decode/tcp';
import { PcapError } from '../errors';
import type { FlowStage } from './engine';
import type { FlowPacket } from './packet';

/** Why a record was emitted: the names of IPFIX's flowEndReason values 1-5 (RFC 7011 / IANA IE 136). */
export type FlowEndReason = 'idle' | 'active' | 'end-of-flow' | 'forced' | 'lack-of-resources';

/** The TCP state a flow reached, as the table sees it from the wire. */
export type FlowTcpState = 'syn-sent' | 'syn-received' | 'established' | 'fin' | 'closed' | 'reset';

export interface FlowRecord {
  version: 4 | 6;
  protocol: number;
  vlan: number;
  /** The initiator (sender of the first packet seen). */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** First and last packet times, milliseconds since the epoch. */
  startMs: number;
  endMs: number;
  /** Initiator to responder: packets and IP bytes (headers included). */
  packets: number;
  bytes: number;
  /** Responder to initiator. */
  reversePackets: number;
  reverseBytes: number;
  /** TCP flags ORed over each direction's packets (0 for other protocols). */
  tcpFlags: number;
  reverseTcpFlags: number;
  /** TCP only. */
  tcpState: FlowTcpState | null;
  endReason: FlowEndReason;
}

export interface FlowTableOptions {
  /** Expire a flow after this long without a packet (packet time, ms). Default 15000. */
  idleTimeoutMs?: number;
  /** Emit a record for a flow this long after its start, and start counting afresh. Default 1800000 (30 min). */
  activeTimeoutMs?: number;
  /** After a RST or both FINs, expire the flow this much later (its last ACKs). Default 2000. */
  tcpEndTimeoutMs?: number;
  /** Flows held at once. Default 65536. */
  maxFlows?: number;
}

export interface FlowTableStats {
  /** Flows held now. */
  flows: number;
  /** Records emitted, by reason. */
  records: Record<FlowEndReason, number>;
}

type Initiator = Pick<FlowPacket, 'version' | 'protocol' | 'vlan' | 'src' | 'srcPort' | 'dst' | 'dstPort'>;

class Flow {
  packets = 0; bytes = 0; reversePackets = 0; reverseBytes = 0;
  tcpFlags = 0; reverseTcpFlags = 0;
  finOut = false; finIn = false;
  tcpState: FlowTcpState | null;
  /** Packet time at which the flow expires unless a packet comes first. */
  endAtMs = Infinity;
  startMs: number;
  lastMs: number;
  /** The initiator's side (copied: the packet's memory may be a leased ring slot). */
  readonly p: Initiator;
  constructor(readonly key: string, p: Initiator & { timeMs: number; tcp?: unknown }) {
    this.p = { version: p.version, protocol: p.protocol, vlan: p.vlan, src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort };
    this.startMs = this.lastMs = p.timeMs;
    this.tcpState = p.tcp === undefined ? null : 'syn-sent';
  }
}

const positive = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v > 0)) throw new PcapError(`FlowTable: ${name} must be a number > 0, got ${String(v)}`, 'EINVAL');
  return v;
};

/** Events: `'flow'` (FlowRecord) for each record. */
export class FlowTable extends EventEmitter implements FlowStage {
  readonly idleTimeoutMs: number;
  readonly activeTimeoutMs: number;
  readonly tcpEndTimeoutMs: number;
  readonly maxFlows: number;
  /** Map order: least recently active first. */
  readonly #flows = new Map<string, Flow>();
  readonly #records: Record<FlowEndReason, number> = { idle: 0, active: 0, 'end-of-flow': 0, forced: 0, 'lack-of-resources': 0 };

  constructor(options: FlowTableOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') throw new PcapError('FlowTable: options must be an object', 'EINVAL');
    this.idleTimeoutMs = positive(options.idleTimeoutMs, 'idleTimeoutMs', 15_000);
    this.activeTimeoutMs = positive(options.activeTimeoutMs, 'activeTimeoutMs', 1_800_000);
    this.tcpEndTimeoutMs = positive(options.tcpEndTimeoutMs, 'tcpEndTimeoutMs', 2_000);
    this.maxFlows = positive(options.maxFlows, 'maxFlows', 65536);
  }

  packet(p: FlowPacket): void {
    const a = `${p.src}]${p.srcPort}`;
    const b = `${p.dst}]${p.dstPort}`;
    const key = a < b ? `${p.vlan}|${p.protocol}|${a}|${b}` : `${p.vlan}|${p.protocol}|${b}|${a}`;
    let f = this.#flows.get(key);
    if (f !== undefined) {
      this.#flows.delete(key);
      if (p.timeMs >= f.endAtMs) { this.#emit(f, 'end-of-flow'); f = undefined; }
      else if (p.timeMs - f.startMs >= this.activeTimeoutMs) { this.#emit(f, 'active'); f = this.#restart(f, p); }
    }
    if (f === undefined) {
      if (this.#flows.size >= this.maxFlows) this.#evictOldest();
      f = new Flow(key, p);
    }
    this.#flows.set(key, f);
    f.lastMs = p.timeMs;
    const out = p.srcPort === f.p.srcPort && p.src === f.p.src;
    if (out) { f.packets++; f.bytes += p.ipBytes; } else { f.reversePackets++; f.reverseBytes += p.ipBytes; }
    if (p.tcp !== undefined) this.#tcp(f, p.tcp.flags, out, p.timeMs);
  }

  /** Expire flows whose time is up at packet time `nowMs`. */
  tick(nowMs: number): void {
    for (const f of this.#flows.values()) {
      if (nowMs >= f.endAtMs) { this.#flows.delete(f.key); this.#emit(f, 'end-of-flow'); continue; }
      if (f.lastMs + this.idleTimeoutMs > nowMs) break;
      this.#flows.delete(f.key);
      this.#emit(f, 'idle');
    }
  }

  /** End of input: a record for every flow ('forced', or 'end-of-flow' for TCP flows already ended). */
  flush(): void {
    for (const f of [...this.#flows.values()]) {
      this.#flows.delete(f.key);
      this.#emit(f, f.endAtMs !== Infinity ? 'end-of-flow' : 'forced');
    }
  }

  stats(): FlowTableStats {
    return { flows: this.#flows.size, records: { ...this.#records } };
  }

  #tcp(f: Flow, flags: number, out: boolean, nowMs: number): void {
    if (out) f.tcpFlags |= flags; else f.reverseTcpFlags |= flags;
    if ((flags & TCP_FLAGS.RST) !== 0) {
      f.tcpState = 'reset';
      f.endAtMs = nowMs + this.tcpEndTimeoutMs;
      return;
    }
    if ((flags & TCP_FLAGS.FIN) !== 0) { if (out) f.finOut = true; else f.finIn = true; }
    if (f.tcpState === 'reset' || f.tcpState === 'closed') return;
    if (f.finOut && f.finIn) {
      f.tcpState = 'closed';
      f.endAtMs = nowMs + this.tcpEndTimeoutMs;
    } else if (f.finOut || f.finIn) {
      f.tcpState = 'fin';
    } else if ((flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) {
      f.tcpState = 'syn-received';
    } else if ((flags & TCP_FLAGS.SYN) === 0 && f.tcpState !== 'established') {
      f.tcpState = f.packets + f.reversePackets > 1 || (flags & TCP_FLAGS.ACK) !== 0 ? 'established' : f.tcpState;
    }
  }

  #restart(old: Flow, p: FlowPacket): Flow {
    const f = new Flow(old.key, { ...old.p, timeMs: p.timeMs, tcp: old.tcpState === null ? undefined : true });
    f.tcpState = old.tcpState;
    f.finOut = old.finOut;
    f.finIn = old.finIn;
    return f;
  }

  #evictOldest(): void {
    for (const f of this.#flows.values()) {
      this.#flows.delete(f.key);
      this.#emit(f, 'lack-of-resources');
      return;
    }
  }

  #emit(f: Flow, endReason: FlowEndReason): void {
    this.#records[endReason]++;
    const p = f.p;
    const r: FlowRecord = {
      version: p.version, protocol: p.protocol, vlan: p.vlan, src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort,
      startMs: f.startMs, endMs: f.lastMs, packets: f.packets, bytes: f.bytes, reversePackets: f.reversePackets,
      reverseBytes: f.reverseBytes, tcpFlags: f.tcpFlags, reverseTcpFlags: f.reverseTcpFlags, tcpState: f.tcpState, endReason,
    };
    this.emit('flow', r);
  }
}
