/**
 * npm pcap's `pcap/tcp_tracker`: follows IPv4 TCP connections through
 * decoded packets. `TCPTracker#track_packet(decoded)` finds or creates the
 * connection's `TCPSession` and emits 'session' for a new one; each session
 * emits 'start' (handshake done), 'data send' / 'data recv' (payload, a
 * view into the packet), 'retransmit', 'syn retry', 'reset' and 'end'.
 * Sides: "send" is the side that sent the first packet seen (the client
 * when the SYN was seen). Packets that are not IPv4 + TCP are ignored.
 */
import { EventEmitter } from 'node:events';
import IPv4 = require('./decode/ipv4');
import TCP = require('./decode/tcp');
import type PcapPacket = require('./decode/pcap_packet');

type Times = Record<number, number>;

/** The IPv4 and TCP layers of a decoded packet, if it has both. */
function layers(packet: PcapPacket): { ip: IPv4; tcp: TCP } | null {
  const ip = (packet.payload as { payload?: unknown } | null)?.payload;
  if (!(ip instanceof IPv4) || !(ip.payload instanceof TCP)) return null;
  return { ip, tcp: ip.payload };
}

const endpoint = (addr: unknown, port: unknown): string => `${addr}:${port}`;

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
    } else {
      this[this.state](packet);
    }
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
    const from = endpoint(ip.saddr, tcp.sport);
    if (from === this.src) {
      this.send_bytes_ip! += ip.headerLength!;
      this.send_bytes_tcp! += tcp.headerLength!;
      this.countData(tcp, 'send', this.send_packets, this.send_retrans);
      if (this.recv_packets[tcp.ackno!]) this.send_acks[tcp.ackno!] = this.current_cap_time!;
      if (tcp.flags!.fin) this.state = 'FIN_WAIT';
    } else if (from === this.dst) {
      this.recv_bytes_ip += ip.headerLength!;
      this.recv_bytes_tcp += tcp.headerLength!;
      this.countData(tcp, 'recv', this.recv_packets, this.recv_retrans);
      if (this.send_packets[tcp.ackno!]) this.recv_acks[tcp.ackno!] = this.current_cap_time!;
      if (tcp.flags!.fin) this.state = 'CLOSE_WAIT';
    }
  }

  FIN_WAIT(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (endpoint(ip.saddr, tcp.sport) === this.dst && tcp.flags!.fin) this.state = 'CLOSING';
  }

  CLOSE_WAIT(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (endpoint(ip.saddr, tcp.sport) === this.src && tcp.flags!.fin) this.state = 'LAST_ACK';
  }

  LAST_ACK(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (endpoint(ip.saddr, tcp.sport) === this.dst) this.closeNow();
  }

  CLOSING(packet: PcapPacket): void {
    const { ip, tcp } = layers(packet)!;
    if (endpoint(ip.saddr, tcp.sport) === this.src) this.closeNow();
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
    if (packets[ackedBy]) {
      this.emit('retransmit', this, side, ackedBy);
      retrans[ackedBy] = (retrans[ackedBy] ?? 0) + 1;
    } else {
      this.emit(`data ${side}`, this, tcp.data);
    }
    if (side === 'send') this.send_bytes_payload += dataLength;
    else this.recv_bytes_payload += dataLength;
    packets[ackedBy] = this.current_cap_time!;
  }

  private closeNow(): void {
    this.close_time = this.current_cap_time!;
    this.state = 'CLOSED';
    this.emit('end', this);
  }
}

export class TCPTracker extends EventEmitter {
  /** Connections by "a:port-b:port" (the lower endpoint first). */
  sessions: Record<string, TCPSession> = {};

  /** Track one decoded packet (pcap.decode.packet's result). */
  track_packet(packet: PcapPacket): void {
    const l = layers(packet);
    if (l === null) return;
    const src = endpoint(l.ip.saddr, l.tcp.sport);
    const dst = endpoint(l.ip.daddr, l.tcp.dport);
    const key = src < dst ? `${src}-${dst}` : `${dst}-${src}`;
    let session = this.sessions[key];
    const isNew = session === undefined;
    if (isNew) {
      session = new TCPSession();
      this.sessions[key] = session;
    }
    session.track(packet);
    // After the first packet, so the new session's fields are filled in.
    if (isNew) this.emit('session', session);
  }
}
