/**
 * npm pcap's `pcap/tcp_tracker`: follows IPv4 TCP connections through
 * decoded packets. `TCPTracker#track_packet(decoded)` finds or creates the
 * connection's `TCPSession` and emits 'session' for a new one; each session
 * emits 'start' (handshake done), 'data send' / 'data recv', 'retransmit',
 * 'syn retry', 'reset' and 'end'. Sides: "send" is the side that sent the
 * first packet seen (the client when the SYN was seen). Packets that are
 * not IPv4 + TCP are ignored.
 *
 * Unlike npm pcap's (its issue #162), the bytes go through the flow
 * layer's TCP reassembler (lib/flow): 'data send' / 'data recv' carry each
 * direction's bytes in order, once, whatever the order, repetition or
 * overlap of the segments on the wire; bytes that never arrive are
 * skipped and reported as 'gap'. 'end' waits until the bytes before both
 * FINs are in. The state machine and session_stats() stay npm pcap's
 * (docs/flows.md lists where the events differ).
 */
import { EventEmitter } from 'node:events';
import IPv4 = require('./decode/ipv4');
import TCP = require('./decode/tcp');
import type PcapPacket = require('./decode/pcap_packet');
import { TCP_FLAGS } from '../../lib/decode/tcp';
import { PcapError } from '../../lib/errors';
import { seqDiff } from '../../lib/flow/seq';
import { tcpFlowPacket } from '../../lib/flow/tcp-fields';
import type { TcpConnection } from '../../lib/flow/tcp-connection';
import { TcpReassembler, type TcpReassemblerOptions } from '../../lib/flow/tcp-reassembler';
import type { TcpGap, TcpStream } from '../../lib/flow/tcp-stream';

type Times = Record<number, number>;

/** The IPv4 and TCP layers of a decoded packet, if it has both. */
function layers(packet: PcapPacket): { ip: IPv4; tcp: TCP } | null {
  const ip = (packet.payload as { payload?: unknown } | null)?.payload;
  if (!(ip instanceof IPv4) || !(ip.payload instanceof TCP)) return null;
  return { ip, tcp: ip.payload };
}

const endpoint = (addr: unknown, port: unknown): string => `${addr}:${port}`;

/** A chunk of a stream as the Buffer npm pcap's listeners expect (a view, no copy). */
const asBuffer = (c: Uint8Array): Buffer => (Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength));

/** The flag bits of npm pcap's flags object. */
function flagBits(tcp: TCP): number {
  const f = tcp.flags!;
  return (f.fin ? TCP_FLAGS.FIN : 0) | (f.syn ? TCP_FLAGS.SYN : 0) | (f.rst ? TCP_FLAGS.RST : 0) |
    (f.psh ? TCP_FLAGS.PSH : 0) | (f.ack ? TCP_FLAGS.ACK : 0) | (f.urg ? TCP_FLAGS.URG : 0);
}

export interface SessionStats {
  recv_times: Record<number, number>;
  send_times: Record<number, number>;
  send_retrans: Record<number, number>;
  recv_retrans: Record<number, number>;
  connect_duration: number;
  total_time: number;
  send_overhead: number;
  send_payload: number;
  send_total: number;
  recv_overhead: number;
  recv_payload: number;
  recv_total: number;
}

type State = 'SYN_SENT' | 'SYN_RCVD' | 'ESTAB' | 'FIN_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK' | 'CLOSING' | 'CLOSED';

export class TCPSession extends EventEmitter {
  /** "addr:port" of the side that sent the first packet seen. */
  src: string | null = null;
  src_name: string | null = null;
  dst: string | null = null;
  dst_name: string | null = null;
  state: State | null = null;
  /** Capture time of the packet being tracked, in seconds. */
  current_cap_time: number | null = null;
  syn_time: number | null = null;
  missed_syn: boolean | null = null;
  connect_time: number | null = null;
  send_isn: number | null = null;
  send_window_scale: number | null = null;
  /** Capture time by the ack number that acknowledges each data packet sent. */
  send_packets: Times = {};
  send_acks: Times = {};
  send_retrans: Times = {};
  send_next_seq: number | null = null;
  send_acked_seq: number | null = null;
  send_bytes_ip: number | null = null;
  send_bytes_tcp: number | null = null;
  send_bytes_payload = 0;
  recv_isn: number | null = null;
  recv_window_scale: number | null = null;
  recv_packets: Times = {};
  recv_acks: Times = {};
  recv_retrans: Times = {};
  recv_next_seq: number | null = null;
  recv_acked_seq: number | null = null;
  recv_bytes_ip = 0;
  recv_bytes_tcp = 0;
  recv_bytes_payload = 0;
  declare close_time?: number;

  // The reassembler's connection for this session and what waits on it.
  #conn: TcpConnection | null = null;
  #endPending = false;
  #ended = false;
  #resetFrom: 'send' | 'recv' | null = null;
  /** Packet time (ms) the state machine closed at, for endWaitMs. */
  #closedAtMs = -1;
  // FINs seen and the highest ack each side sent (modulo 2^32), so that a
  // close is recognised even when reordering hides npm pcap's last ACK.
  #finSend: number | null = null;
  #finRecv: number | null = null;
  #ackSend: number | null = null;
  #ackRecv: number | null = null;

  /** Account one decoded IPv4 TCP packet of this connection. */
  track(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet) as { ip: IPv4; tcp: TCP };
    const flags = tcp.flags!;
    const h = packet.pcap_header!;
    this.current_cap_time = h.tv_sec + h.tv_usec / 1_000_000;
    if (this.state === null) {
      this.src = endpoint(ip.saddr, tcp.sport);
      this.src_name = this.src;
      this.dst = endpoint(ip.daddr, tcp.dport);
      this.dst_name = this.dst;
      if (flags.syn && !flags.ack) {
        this.state = 'SYN_SENT';
      } else {
        // Joined mid-connection: probably established.
        this.missed_syn = true;
        this.connect_time = this.current_cap_time;
        this.state = 'ESTAB';
      }
      this.syn_time = this.current_cap_time;
      this.send_isn = tcp.seqno!;
      this.send_window_scale = tcp.options!.window_scale || 1;
      this.send_next_seq = tcp.seqno! + 1;
      this.send_bytes_ip = ip.headerLength!;
      this.send_bytes_tcp = tcp.headerLength!;
    } else if (flags.syn && !flags.ack) {
      this.emit('syn retry', this);
    } else if (flags.rst && this.state !== 'CLOSED') {
      // npm pcap reports a RST only during the handshake; any RST ends the connection.
      this.#resetFrom = endpoint(ip.saddr, tcp.sport) === this.src ? 'send' : 'recv';
      this.state = 'CLOSED';
    } else {
      this[this.state](packet);
    }
    this.#noteClose(ip, tcp);
  }

  /** @internal The reassembler's connection for this session: its streams feed 'data send' / 'data recv'. */
  bind(conn: TcpConnection): void {
    this.#conn = conn;
    const sendIsClient = endpoint(conn.client.addr, conn.client.port) === this.src;
    const send = sendIsClient ? conn.fromClient : conn.fromServer;
    const recv = sendIsClient ? conn.fromServer : conn.fromClient;
    const wire = (stream: TcpStream, side: 'send' | 'recv'): void => {
      stream.on('data', (chunk: Uint8Array) => { this.emit(`data ${side}`, this, asBuffer(chunk)); });
      stream.on('gap', (gap: TcpGap) => { this.emit('gap', this, side, gap); });
    };
    wire(send, 'send');
    wire(recv, 'recv');
    conn.once('close', () => { if (this.#conn === conn) this.settle(-1); });
  }

  /**
   * @internal After the reassembler has seen the packet: a pending 'reset'
   * goes out now (the bytes before it were delivered first); 'end' once
   * the bytes before both FINs are in — or, if some never come,
   * `endWaitMs` after the close, the missing bytes reported as gaps.
   */
  settle(nowMs: number, endWaitMs = Infinity): void {
    if (this.#resetFrom !== null) {
      const side = this.#resetFrom;
      this.#resetFrom = null;
      this.#ended = true;
      this.emit('reset', this, side);
      return;
    }
    if (!this.#endPending || this.#ended) return;
    const conn = this.#conn;
    if (conn !== null && conn.state !== 'closed') {
      if (nowMs < 0 || nowMs - this.#closedAtMs < endWaitMs) return;
      conn.close('end'); // delivers what waited, the holes as gaps; re-enters settle() via 'close'
      if (this.#ended) return;
    }
    this.#ended = true;
    this.emit('end', this);
  }

  /** @internal true while the session waits for bytes before its 'end'. */
  get waitingForEnd(): boolean {
    return this.#endPending && !this.#ended;
  }

  /** FINs and acks, so a close hidden by reordering is still seen. */
  #noteClose(ip: IPv4, tcp: TCP): void {
    if (this.state === 'CLOSED' && this.#endPending) return;
    const fromSrc = endpoint(ip.saddr, tcp.sport) === this.src;
    const f = tcp.flags!;
    if (f.fin) {
      const at = (tcp.seqno! + Math.max(0, tcp.dataLength!)) >>> 0;
      if (fromSrc) this.#finSend ??= at; else this.#finRecv ??= at;
    }
    if (f.ack) {
      const a = tcp.ackno!;
      if (fromSrc) { if (this.#ackSend === null || seqDiff(a, this.#ackSend) > 0) this.#ackSend = a; } else if (this.#ackRecv === null || seqDiff(a, this.#ackRecv) > 0) this.#ackRecv = a;
    }
    const bothAcked = this.#finSend !== null && this.#finRecv !== null && this.#ackRecv !== null && this.#ackSend !== null &&
      seqDiff(this.#ackRecv, this.#finSend) >= 1 && seqDiff(this.#ackSend, this.#finRecv) >= 1;
    if (bothAcked && this.state !== 'CLOSED') this.closeNow();
  }

  SYN_SENT(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (endpoint(ip.saddr, tcp.sport) === this.dst && tcp.flags!.syn && tcp.flags!.ack) {
      this.recv_bytes_ip += ip.headerLength!;
      this.recv_bytes_tcp += tcp.headerLength!;
      this.recv_packets[tcp.seqno! + 1] = this.current_cap_time!;
      this.recv_acks[tcp.ackno!] = this.current_cap_time!;
      this.recv_isn = tcp.seqno!;
      this.recv_window_scale = tcp.options!.window_scale || 1;
      this.state = 'SYN_RCVD';
    } else if (tcp.flags!.rst) {
      this.state = 'CLOSED';
      this.emit('reset', this, 'recv');
    }
  }

  SYN_RCVD(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (endpoint(ip.saddr, tcp.sport) === this.src && tcp.flags!.ack) {
      this.send_bytes_ip! += ip.headerLength!;
      this.send_bytes_tcp! += tcp.headerLength!;
      this.send_acks[tcp.ackno!] = this.current_cap_time!;
      this.connect_time = this.current_cap_time;
      this.emit('start', this);
      this.state = 'ESTAB';
    }
  }

  ESTAB(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    const side = this.count(ip, tcp);
    if (tcp.flags!.fin && side === 'send') this.state = 'FIN_WAIT';
    else if (tcp.flags!.fin && side === 'recv') this.state = 'CLOSE_WAIT';
  }

  // After a FIN the other side may still send (a half-close): its bytes and
  // acks are counted in every state up to CLOSED (npm pcap counts in ESTAB only).
  FIN_WAIT(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (this.count(ip, tcp) === 'recv' && tcp.flags!.fin) this.state = 'CLOSING';
  }

  CLOSE_WAIT(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (this.count(ip, tcp) === 'send' && tcp.flags!.fin) this.state = 'LAST_ACK';
  }

  LAST_ACK(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (this.count(ip, tcp) === 'recv') this.closeNow();
  }

  CLOSING(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (this.count(ip, tcp) === 'send') this.closeNow();
  }

  /** Header and payload bytes, retransmissions and ack times of one packet; which side sent it. */
  private count(ip: IPv4, tcp: TCP): 'send' | 'recv' | null {
    const from = endpoint(ip.saddr, tcp.sport);
    if (from === this.src) {
      this.send_bytes_ip! += ip.headerLength!;
      this.send_bytes_tcp! += tcp.headerLength!;
      this.countData(tcp, 'send', this.send_packets, this.send_retrans);
      if (this.recv_packets[tcp.ackno!]) this.send_acks[tcp.ackno!] = this.current_cap_time!;
      return 'send';
    }
    if (from === this.dst) {
      this.recv_bytes_ip += ip.headerLength!;
      this.recv_bytes_tcp += tcp.headerLength!;
      this.countData(tcp, 'recv', this.recv_packets, this.recv_retrans);
      if (this.send_packets[tcp.ackno!]) this.recv_acks[tcp.ackno!] = this.current_cap_time!;
      return 'recv';
    }
    return null;
  }

  /** Closed: nothing more is counted. */
  CLOSED(_packet: PcapPacket): void {}

  /** Timings and byte counts of the connection so far. */
  session_stats(): SessionStats {
    const recv_times: Record<number, number> = {};
    for (const ack of Object.keys(this.send_acks).map(Number)) {
      if (this.recv_packets[ack]) recv_times[ack] = this.send_acks[ack] - this.recv_packets[ack];
    }
    const send_times: Record<number, number> = {};
    for (const ack of Object.keys(this.recv_acks).map(Number)) {
      if (this.send_packets[ack]) send_times[ack] = this.recv_acks[ack] - this.send_packets[ack];
    }
    const send_overhead = this.send_bytes_ip! + this.send_bytes_tcp!;
    const recv_overhead = this.recv_bytes_ip + this.recv_bytes_tcp;
    return {
      recv_times,
      send_times,
      send_retrans: { ...this.send_retrans },
      recv_retrans: { ...this.recv_retrans },
      connect_duration: this.connect_time! - this.syn_time!,
      total_time: this.close_time! - this.syn_time!,
      send_overhead,
      send_payload: this.send_bytes_payload,
      send_total: send_overhead + this.send_bytes_payload,
      recv_overhead,
      recv_payload: this.recv_bytes_payload,
      recv_total: recv_overhead + this.recv_bytes_payload,
    };
  }

  /** Payload of one direction: new data, or a retransmission of data seen. */
  private countData(tcp: TCP, side: 'send' | 'recv', packets: Times, retrans: Times): void {
    const dataLength = tcp.dataLength!;
    if (!(dataLength > 0)) return;
    const ackedBy = tcp.seqno! + dataLength;
    // The bytes themselves reach 'data send' / 'data recv' through the reassembler, in order.
    if (packets[ackedBy]) {
      this.emit('retransmit', this, side, ackedBy);
      retrans[ackedBy] = (retrans[ackedBy] ?? 0) + 1;
    }
    if (side === 'send') this.send_bytes_payload += dataLength;
    else this.recv_bytes_payload += dataLength;
    packets[ackedBy] = this.current_cap_time!;
  }

  /** npm pcap's close: the last ACK after both FINs. 'end' follows once the bytes are in (settle). */
  private closeNow(): void {
    this.close_time = this.current_cap_time!;
    this.state = 'CLOSED';
    this.#endPending = true;
    this.#closedAtMs = this.current_cap_time! * 1000;
  }
}

export interface TCPTrackerOptions {
  /** The reassembler's bounds and timeouts (docs/flows.md); packet time. Default {}. */
  reassembly?: TcpReassemblerOptions;
  /**
   * After the last ACK, how long (packet time, ms) a session whose bytes
   * are not all in waits for them before its 'end', the missing bytes
   * reported as 'gap'. Default 2000.
   */
  endWaitMs?: number;
}

export class TCPTracker extends EventEmitter {
  /** Connections by "a:port-b:port" (the lower endpoint first). */
  sessions: Record<string, TCPSession> = {};
  readonly #reassembler: TcpReassembler;
  readonly #endWaitMs: number;
  /** The session whose packet the reassembler is handling (its 'connection' binds to it). */
  #current: TCPSession | null = null;
  /** Sessions closed by their state machine, still waiting for bytes before 'end'. */
  readonly #waiting = new Set<TCPSession>();

  constructor(options: TCPTrackerOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') throw new PcapError('TCPTracker: options must be an object', 'EINVAL');
    const w = options.endWaitMs ?? 2000;
    if (typeof w !== 'number' || !(w >= 0)) throw new PcapError(`TCPTracker: endWaitMs must be a number >= 0, got ${String(w)}`, 'EINVAL');
    this.#endWaitMs = w;
    this.#reassembler = new TcpReassembler(options.reassembly ?? {});
    this.#reassembler.on('connection', (conn: TcpConnection) => { this.#current?.bind(conn); });
  }

  /** Track one decoded packet (pcap.decode.packet's result). */
  track_packet(packet: PcapPacket): void {
    const l = layers(packet);
    if (l === null) return;
    const { ip, tcp } = l;
    const src = endpoint(ip.saddr, tcp.sport);
    const dst = endpoint(ip.daddr, tcp.dport);
    const key = src < dst ? `${src}-${dst}` : `${dst}-${src}`;
    let session: TCPSession | undefined = this.sessions[key];
    const f = tcp.flags!;
    // A new SYN on a closed session's tuple: the port pair was reused, a new session (npm pcap: 'syn retry' on the old one).
    if (session !== undefined && session.state === 'CLOSED' && f.syn && !f.ack && !session.waitingForEnd) session = undefined;
    const isNew = session === undefined;
    if (session === undefined) {
      session = new TCPSession();
      this.sessions[key] = session;
    }
    session.track(packet);
    // After the first packet, so the new session's fields are filled in.
    if (isNew) this.emit('session', session);
    const h = packet.pcap_header!;
    const nowMs = h.tv_sec * 1000 + h.tv_usec / 1000;
    const data = tcp.data;
    this.#current = session;
    try {
      this.#reassembler.tick(nowMs);
      this.#reassembler.packet(tcpFlowPacket({
        timeMs: nowMs, src: String(ip.saddr), dst: String(ip.daddr), srcPort: tcp.sport!, dstPort: tcp.dport!,
        seq: tcp.seqno!, ack: tcp.ackno!, flags: flagBits(tcp), window: tcp.windowSize!,
        windowScale: tcp.options?.window_scale, payload: data ?? EMPTY,
      }));
    } finally {
      this.#current = null;
    }
    session.settle(nowMs, this.#endWaitMs);
    if (session.waitingForEnd) this.#waiting.add(session);
    for (const s of this.#waiting) {
      if (s !== session) s.settle(nowMs, this.#endWaitMs);
      if (!s.waitingForEnd) this.#waiting.delete(s);
    }
  }

  /**
   * End of input (not in npm pcap): every connection's waiting bytes are
   * delivered, the holes reported as 'gap', and the sessions that had
   * closed get their 'end'.
   */
  flush(): void {
    this.#reassembler.flush();
    for (const s of this.#waiting) s.settle(Infinity, 0);
    this.#waiting.clear();
  }
}

const EMPTY = Buffer.alloc(0);
