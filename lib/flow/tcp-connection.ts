/**
 * TcpConnection: both directions of one TCP connection and its state as
 * seen from the wire (handshake, FINs, RST).
 *
 * Which side is the client: the sender of a SYN without ACK; if the
 * handshake was missed, the receiver of a SYN+ACK; otherwise (joined
 * mid-stream) the endpoint with the higher port (servers listen on low,
 * well-known ports; clients get ephemeral ones), and with equal ports the
 * sender of the first packet seen.
 */
import { EventEmitter } from 'node:events';
import { TCP_FLAGS } from '../decode/tcp';
import type { TcpLayer } from '../decode/tcp';
import type { FlowPacket } from './packet';
import { TcpStream, type BufferAccount } from './tcp-stream';

export type TcpConnectionState = 'syn-sent' | 'syn-received' | 'established' | 'closing' | 'closed';

/** Why a connection was closed. */
export type TcpCloseReason =
  /** Both FINs delivered. */
  | 'fin'
  /** A RST. */
  | 'reset'
  /** No packet for `idleTimeoutMs` of packet time. */
  | 'timeout'
  /** Pushed out to stay within `maxConnections`. */
  | 'evicted'
  /** flush(): the end of the input. */
  | 'end';

export interface Endpoint { readonly addr: string; readonly port: number }

/**
 * Events: `'established'` (handshake completed), `'reset'` (side:
 * 'client' | 'server', the sender of the RST), `'close'` (reason).
 */
export class TcpConnection extends EventEmitter {
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** The bytes the client sent, in order. */
  readonly fromClient: TcpStream;
  /** The bytes the server sent, in order. */
  readonly fromServer: TcpStream;
  state: TcpConnectionState;
  readonly startMs: number;
  lastMs: number;
  closeReason: TcpCloseReason | null = null;
  /** true if the handshake was not seen. */
  readonly midStream: boolean;

  constructor(readonly key: string, readonly vlan: number, p: FlowPacket, account: BufferAccount, maxBuffered: number) {
    super();
    const f = p.tcp!.flags;
    const synAck = (f & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK);
    const fromServerFirst = synAck || ((f & TCP_FLAGS.SYN) === 0 && p.srcPort < p.dstPort);
    const a: Endpoint = { addr: p.src, port: p.srcPort };
    const b: Endpoint = { addr: p.dst, port: p.dstPort };
    this.client = fromServerFirst ? b : a;
    this.server = fromServerFirst ? a : b;
    this.fromClient = new TcpStream(this.client.addr, this.client.port, this.server.addr, this.server.port, account, maxBuffered);
    this.fromServer = new TcpStream(this.server.addr, this.server.port, this.client.addr, this.client.port, account, maxBuffered);
    this.midStream = (f & TCP_FLAGS.SYN) === 0;
    this.state = (f & TCP_FLAGS.SYN) === 0 ? 'established' : fromServerFirst ? 'syn-received' : 'syn-sent';
    this.startMs = this.lastMs = p.timeMs;
  }

  /** true if `p` was sent by the client. */
  isFromClient(p: FlowPacket): boolean {
    return p.srcPort === this.client.port && p.src === this.client.addr;
  }

  /** @internal One segment of this connection. */
  packet(p: FlowPacket, gapTimeoutMs: number): void {
    const tcp = p.tcp as TcpLayer;
    const f = tcp.flags;
    this.lastMs = p.timeMs;
    if (this.state === 'closed') return;
    const fromClient = this.isFromClient(p);
    const from = fromClient ? this.fromClient : this.fromServer;
    const to = fromClient ? this.fromServer : this.fromClient;
    const syn = (f & TCP_FLAGS.SYN) !== 0;
    if (syn) {
      from.windowScale = windowScale(tcp);
      from.syn(tcp.seq);
      if ((f & TCP_FLAGS.ACK) !== 0 && this.state === 'syn-sent') this.state = 'syn-received';
    } else if ((f & TCP_FLAGS.ACK) !== 0 && this.state === 'syn-received' && fromClient) {
      this.state = 'established';
      this.emit('established');
    }
    // The window `from` advertises bounds what `to` may send; known only
    // when both SYNs were seen (scaling is on only if both offered it, RFC
    // 7323 §2.2; a SYN's own window is never scaled).
    if ((f & TCP_FLAGS.ACK) !== 0) to.acked = tcp.ack;
    if (from.isn !== null && to.isn !== null) {
      const scale = !syn && from.windowScale >= 0 && to.windowScale >= 0 ? Math.min(from.windowScale, 14) : 0;
      const win = tcp.window * 2 ** scale;
      if (win > to.receiveWindow) to.receiveWindow = win;
    }
    if ((f & TCP_FLAGS.RST) !== 0) {
      this.emit('reset', fromClient ? 'client' : 'server');
      this.close('reset');
      return;
    }
    const payload = p.data.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength);
    const fin = (f & TCP_FLAGS.FIN) !== 0;
    if (payload.length > 0 || fin) from.segment(syn ? ((tcp.seq + 1) >>> 0) : tcp.seq, payload, fin, p.timeMs);
    if (fin && this.state !== 'closing') this.state = 'closing';
    from.expireGap(p.timeMs, gapTimeoutMs);
    to.expireGap(p.timeMs, gapTimeoutMs);
    if (this.fromClient.ended && this.fromServer.ended) this.close('fin');
  }

  /** @internal End both directions (holes become gaps) and emit 'close'. */
  close(reason: TcpCloseReason): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    this.fromClient.close();
    this.fromServer.close();
    this.emit('close', reason);
  }
}

/** The window-scale shift a SYN offers (RFC 7323), or -1. */
function windowScale(tcp: TcpLayer): number {
  for (const o of tcp.options) if (o.name === 'wscale') return o.shift;
  return -1;
}
