/**
 * FlowEngine: the flow layer's front door. Feed it packets the way every
 * session delivers them — `(data, header)` plus the session's link type —
 * live or offline; it decodes them, defragments IP, and hands each IP
 * packet (rebuilt datagrams included) to the stages that are switched on:
 * the TCP reassembler, the flow table, the application parsers.
 */
import { EventEmitter } from 'node:events';
import { decodeFrom, decodePacket } from '../decode/packet';
import type { Ipv4Layer } from '../decode/ipv4';
import type { Ipv6Layer } from '../decode/ipv6';
import type { DecodedPacket } from '../decode/types';
import { PcapError } from '../errors';
import type { PacketHeader } from '../packet';
import { IpDefragmenter, type DefragDrop, type DefragOptions, type DefragStats } from './defrag';
import { flowPacket, headerTimeMs, type FlowPacket } from './packet';
import { FlowTable, type FlowTableOptions, type FlowTableStats } from './flow-table';
import { TcpReassembler, type TcpReassemblerOptions, type TcpReassemblerStats } from './tcp-reassembler';

/** A stage of the engine: sees every IP packet in capture order, and the end of input. */
export interface FlowStage {
  packet(p: FlowPacket): void;
  /** Packet time moved on (called before each packet): expire what is due. */
  tick?(nowMs: number): void;
  /** End of input: flush and expire everything. */
  flush?(nowMs: number): void;
}

export interface FlowEngineOptions {
  /** Defragmentation options, or false to pass fragments on as they are. Default {}. */
  defrag?: DefragOptions | false;
  /** TCP reassembly options, or false for none. Default {}. */
  tcp?: TcpReassemblerOptions | false;
  /** Flow table options, or false for none. Default {}. */
  table?: FlowTableOptions | false;
}

export interface FlowEngineStats {
  /** Packets pushed. */
  packets: number;
  /** Of those, packets with no IP layer the engine could use. */
  nonIp: number;
  defrag: DefragStats | null;
  tcp: TcpReassemblerStats | null;
  table: FlowTableStats | null;
}

/** The minimum of a session the engine can attach to. */
export interface PacketEmitter {
  datalink(): number;
  on(event: 'packet', listener: (data: Buffer, header: PacketHeader) => void): unknown;
  off(event: 'packet', listener: (data: Buffer, header: PacketHeader) => void): unknown;
}

/**
 * Events: `'ip'` (FlowPacket) for every IP packet after defragmentation;
 * `'datagram'` (bytes, DecodedPacket, timeMs) for each datagram the
 * defragmenter rebuilt; `'fragment-drop'` (DefragDrop) for each datagram given up.
 */
export class FlowEngine extends EventEmitter {
  readonly defrag: IpDefragmenter | null;
  /** The TCP reassembler: listen for its 'connection' events. */
  readonly tcp: TcpReassembler | null;
  /** The flow table: listen for its 'flow' records. */
  readonly table: FlowTable | null;
  readonly #stages: FlowStage[] = [];
  #packets = 0;
  #nonIp = 0;
  #lastMs = 0;

  constructor(options: FlowEngineOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') throw new PcapError('FlowEngine: options must be an object', 'EINVAL');
    this.defrag = options.defrag === false ? null : new IpDefragmenter(options.defrag ?? {});
    if (this.defrag) this.defrag.onDrop = (d: DefragDrop) => this.emit('fragment-drop', d);
    this.tcp = options.tcp === false ? null : new TcpReassembler(options.tcp ?? {});
    if (this.tcp) this.use(this.tcp);
    this.table = options.table === false ? null : new FlowTable(options.table ?? {});
    if (this.table) this.use(this.table);
  }

  /** Add a stage (the reassembler, the flow table, a parser); stages see packets in the order added. */
  use(stage: FlowStage): this {
    this.#stages.push(stage);
    return this;
  }

  /**
   * Feed one packet. `data` may be leased (a ring slot): nothing keeps a
   * reference to it after the call. Never throws on packet content.
   */
  push(data: Uint8Array, header: PacketHeader, linktype: number): void {
    if (!(data instanceof Uint8Array)) throw new PcapError('FlowEngine.push: data must be a Buffer or Uint8Array', 'EINVAL');
    const timeMs = headerTimeMs(header);
    this.#packets++;
    if (timeMs > this.#lastMs) this.#lastMs = timeMs;
    for (const s of this.#stages) s.tick?.(timeMs);
    const pkt = decodePacket(data, linktype);
    this.#ip(pkt, data, timeMs, header.len);
  }

  /** Feed every packet a session delivers; returns the function that stops it. */
  attach(session: PacketEmitter): () => void {
    const linktype = session.datalink();
    const listener = (data: Buffer, header: PacketHeader): void => this.push(data, header, linktype);
    session.on('packet', listener);
    return () => { session.off('packet', listener); };
  }

  /** End of input: every stage flushes (streams end, flows expire) at the last packet time seen, or `nowMs`. */
  flush(nowMs = this.#lastMs): void {
    this.defrag?.clear();
    for (const s of this.#stages) s.flush?.(nowMs);
  }

  stats(): FlowEngineStats {
    return { packets: this.#packets, nonIp: this.#nonIp, defrag: this.defrag?.stats() ?? null, tcp: this.tcp?.stats() ?? null, table: this.table?.stats() ?? null };
  }

  #ip(pkt: DecodedPacket, data: Uint8Array, timeMs: number, wireLen: number): void {
    let reassembled = false;
    let vlan = 0;
    if (this.defrag !== null) {
      for (const l of pkt.layers) {
        if (l.kind === 'vlan') vlan = l.vid;
        else if (l.kind === 'ipv4' || l.kind === 'ipv6') break;
      }
      const whole = this.#defragment(pkt, data, timeMs, vlan);
      if (whole === null) return; // a fragment, held
      if (whole !== undefined) {
        data = whole;
        pkt = decodeFrom(whole[0] >>> 4 === 4 ? 'ipv4' : 'ipv6', whole);
        wireLen = whole.length;
        reassembled = true;
        this.emit('datagram', whole, pkt, timeMs);
      }
    }
    const fp = flowPacket(pkt, data, timeMs, wireLen, reassembled, vlan);
    if (fp === null) { this.#nonIp++; return; }
    this.emit('ip', fp);
    for (const s of this.#stages) s.packet(fp);
  }

  /** undefined: not a fragment. null: a fragment, kept. Otherwise the rebuilt datagram. */
  #defragment(pkt: DecodedPacket, data: Uint8Array, timeMs: number, vlan: number): Uint8Array | null | undefined {
    for (const l of pkt.layers) {
      if (l.kind === 'ipv4') {
        if (!IpDefragmenter.isIpv4Fragment(l)) return undefined;
        return this.defrag!.ipv4(data, l as Ipv4Layer, timeMs, vlan);
      } else if (l.kind === 'ipv6') {
        const fh = IpDefragmenter.ipv6FragmentHeader(l as Ipv6Layer);
        if (fh === undefined) return undefined;
        return this.defrag!.ipv6(data, l as Ipv6Layer, fh, timeMs, vlan);
      }
    }
    return undefined;
  }
}
