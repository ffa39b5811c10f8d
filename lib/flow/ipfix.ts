/**
 * IPFIX export (RFC 7011) of flow records as biflows (RFC 5103: the
 * reverse direction's counters are the same Information Elements with the
 * enterprise bit set and the reverse PEN 29305).
 *
 * IpfixEncoder builds messages (pure: no I/O); IpfixExporter sends them
 * over UDP to a collector (nfcapd, ipfixcol2, pmacct, ...). Over UDP a
 * collector that starts late or restarts has no templates, so they are
 * sent again periodically (RFC 7011 §8.4): in the first message, and then
 * every `templateRefreshMs` of wall time or every `templateRefreshMessages`
 * messages, whichever comes first.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { PcapError } from '../errors';
import { writeIpv4Text, writeIpv6Text } from './address';
import type { FlowEndReason, FlowRecord } from './flow-table';

/** The reverse Information Element PEN of RFC 5103. */
export const REVERSE_PEN = 29305;
export const IPFIX_TEMPLATE_IPV4 = 256;
export const IPFIX_TEMPLATE_IPV6 = 257;

/** [element id, length, reverse?] of each template, in record order (IANA IPFIX registry numbers). */
type Field = readonly [id: number, length: number, reverse?: boolean];
const COMMON: readonly Field[] = [
  [7, 2], // sourceTransportPort
  [11, 2], // destinationTransportPort
  [4, 1], // protocolIdentifier
  [58, 2], // vlanId
  [152, 8], // flowStartMilliseconds
  [153, 8], // flowEndMilliseconds
  [1, 8], // octetDeltaCount
  [2, 8], // packetDeltaCount
  [6, 2], // tcpControlBits
  [1, 8, true], // reverse octetDeltaCount
  [2, 8, true], // reverse packetDeltaCount
  [6, 2, true], // reverse tcpControlBits
  [136, 1], // flowEndReason
];
const V4: readonly Field[] = [[8, 4], [12, 4], ...COMMON]; // sourceIPv4Address, destinationIPv4Address
const V6: readonly Field[] = [[27, 16], [28, 16], ...COMMON]; // sourceIPv6Address, destinationIPv6Address
const recordLength = (fields: readonly Field[]): number => fields.reduce((n, f) => n + f[1], 0);
const V4_LEN = recordLength(V4);
const V6_LEN = recordLength(V6);

const END_REASON: Record<FlowEndReason, number> = { idle: 1, active: 2, 'end-of-flow': 3, forced: 4, 'lack-of-resources': 5 };

function templateSet(): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number): void => { parts.push(v >>> 8, v & 255); };
  for (const [id, fields] of [[IPFIX_TEMPLATE_IPV4, V4], [IPFIX_TEMPLATE_IPV6, V6]] as const) {
    u16(id);
    u16(fields.length);
    for (const [ie, len, reverse] of fields) {
      u16(reverse ? ie | 0x8000 : ie);
      u16(len);
      if (reverse) { u16(REVERSE_PEN >>> 16); u16(REVERSE_PEN & 0xffff); }
    }
  }
  const out = new Uint8Array(4 + parts.length);
  out[0] = 0; out[1] = 2; // set id 2: template set
  out[2] = out.length >>> 8; out[3] = out.length & 255;
  out.set(parts, 4);
  return out;
}
const TEMPLATES = templateSet();

export interface IpfixOptions {
  /** The Observation Domain ID in every message header. Default 0. */
  observationDomainId?: number;
  /** Largest message, bytes (keep it under the path MTU: UDP messages are not fragmented well). Default 1400. */
  maxMessageBytes?: number;
  /** Resend templates after this much wall time. Default 60000 (a collector that restarts relearns them within a minute). */
  templateRefreshMs?: number;
  /** ... or after this many messages. Default 100. */
  templateRefreshMessages?: number;
}

const integer = (v: unknown, name: string, dflt: number, min: number, max: number): number => {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    throw new PcapError(`IPFIX: ${name} must be an integer in ${min}..${max}, got ${String(v)}`, 'EINVAL');
  }
  return v as number;
};

/** Builds IPFIX messages; keeps the sequence number (data records sent, RFC 7011 §3.1) and the template schedule. */
export class IpfixEncoder {
  readonly observationDomainId: number;
  readonly maxMessageBytes: number;
  readonly templateRefreshMs: number;
  readonly templateRefreshMessages: number;
  #sequence = 0;
  #messagesSinceTemplates = Infinity;
  #templatesAtMs = -Infinity;

  constructor(options: IpfixOptions = {}) {
    this.observationDomainId = integer(options.observationDomainId, 'observationDomainId', 0, 0, 0xffffffff);
    this.maxMessageBytes = integer(options.maxMessageBytes, 'maxMessageBytes', 1400, 16 + TEMPLATES.length + 4 + V6_LEN, 65535);
    this.templateRefreshMs = integer(options.templateRefreshMs, 'templateRefreshMs', 60_000, 0, 2 ** 31);
    this.templateRefreshMessages = integer(options.templateRefreshMessages, 'templateRefreshMessages', 100, 1, 2 ** 31);
  }

  /** Data records sent so far (the next message's sequence number). */
  get sequence(): number {
    return this.#sequence;
  }

  /** Messages carrying `records` (none for none), templates included when due. `nowMs`: wall time of export. */
  encode(records: readonly FlowRecord[], nowMs = Date.now()): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < records.length) {
      const withTemplates = this.#messagesSinceTemplates >= this.templateRefreshMessages || nowMs - this.#templatesAtMs >= this.templateRefreshMs;
      const sets: Uint8Array[] = [];
      let size = 16;
      if (withTemplates) { sets.push(TEMPLATES); size += TEMPLATES.length; }
      const first = this.#sequence;
      // Consecutive records of one version share a data set.
      while (i < records.length) {
        const v6 = records[i].version === 6;
        const len = v6 ? V6_LEN : V4_LEN;
        let n = 0;
        while (i + n < records.length && (records[i + n].version === 6) === v6 && size + 4 + (n + 1) * len <= this.maxMessageBytes) n++;
        if (n === 0) break;
        sets.push(dataSet(records.slice(i, i + n), v6));
        size += 4 + n * len;
        i += n;
        this.#sequence = (this.#sequence + n) >>> 0;
      }
      out.push(message(sets, size, nowMs, first, this.observationDomainId));
      if (withTemplates) { this.#messagesSinceTemplates = 1; this.#templatesAtMs = nowMs; } else this.#messagesSinceTemplates++;
    }
    return out;
  }
}

function message(sets: Uint8Array[], size: number, nowMs: number, sequence: number, domain: number): Uint8Array {
  const m = new Uint8Array(size);
  const v = new DataView(m.buffer);
  v.setUint16(0, 10);
  v.setUint16(2, size);
  v.setUint32(4, Math.floor(nowMs / 1000));
  v.setUint32(8, sequence);
  v.setUint32(12, domain);
  let at = 16;
  for (const s of sets) { m.set(s, at); at += s.length; }
  return m;
}

function dataSet(records: readonly FlowRecord[], v6: boolean): Uint8Array {
  const len = v6 ? V6_LEN : V4_LEN;
  const s = new Uint8Array(4 + records.length * len);
  const v = new DataView(s.buffer);
  v.setUint16(0, v6 ? IPFIX_TEMPLATE_IPV6 : IPFIX_TEMPLATE_IPV4);
  v.setUint16(2, s.length);
  let at = 4;
  for (const r of records) {
    if (v6) { writeIpv6Text(r.src, s, at); writeIpv6Text(r.dst, s, at + 16); at += 32; } else { writeIpv4Text(r.src, s, at); writeIpv4Text(r.dst, s, at + 4); at += 8; }
    v.setUint16(at, r.srcPort); v.setUint16(at + 2, r.dstPort); s[at + 4] = r.protocol; v.setUint16(at + 5, r.vlan);
    v.setBigUint64(at + 7, BigInt(Math.floor(r.startMs))); v.setBigUint64(at + 15, BigInt(Math.floor(r.endMs)));
    v.setBigUint64(at + 23, BigInt(r.bytes)); v.setBigUint64(at + 31, BigInt(r.packets)); v.setUint16(at + 39, r.tcpFlags & 0xfff);
    v.setBigUint64(at + 41, BigInt(r.reverseBytes)); v.setBigUint64(at + 49, BigInt(r.reversePackets)); v.setUint16(at + 57, r.reverseTcpFlags & 0xfff);
    s[at + 59] = END_REASON[r.endReason];
    at += 60;
  }
  return s;
}

export interface IpfixExporterOptions extends IpfixOptions {
  /** The collector. */
  host: string;
  /** Default 4739 (IANA's IPFIX port). */
  port?: number;
}

/**
 * Sends records to a collector over UDP. `add()` queues a record; queued
 * records go out together at the end of the current turn of the event
 * loop (or at once when a message is full), so a burst of expiries makes
 * few datagrams. `flush()` sends what is queued and resolves once the
 * datagrams have left; `close()` flushes and closes the socket.
 */
export class IpfixExporter {
  readonly encoder: IpfixEncoder;
  readonly host: string;
  readonly port: number;
  #socket: Socket;
  #queue: FlowRecord[] = [];
  #scheduled = false;
  #inFlight = new Set<Promise<void>>();
  #closed = false;
  /** Records and datagrams sent, and send errors (a collector that is down must not stop the capture). */
  readonly counters = { records: 0, messages: 0, errors: 0 };

  constructor(options: IpfixExporterOptions) {
    if (options === null || typeof options !== 'object' || typeof options.host !== 'string') {
      throw new PcapError('IpfixExporter: options.host (the collector address) is required', 'EINVAL');
    }
    this.encoder = new IpfixEncoder(options);
    this.host = options.host;
    this.port = integer(options.port, 'port', 4739, 1, 65535);
    this.#socket = createSocket(isIPv6(this.host) ? 'udp6' : 'udp4');
    this.#socket.on('error', () => { this.counters.errors++; });
    this.#socket.unref();
  }

  add(record: FlowRecord): void {
    if (this.#closed) throw new PcapError('IpfixExporter: add() after close()', 'ECLOSED');
    this.#queue.push(record);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => { this.#scheduled = false; void this.flush(); });
    }
  }

  async flush(): Promise<void> {
    const records = this.#queue;
    this.#queue = [];
    for (const m of this.encoder.encode(records)) {
      const p = new Promise<void>((resolve) => {
        this.#socket.send(m, this.port, this.host, (err) => {
          if (err) this.counters.errors++; else this.counters.messages++;
          resolve();
        });
      });
      this.#inFlight.add(p);
      void p.then(() => this.#inFlight.delete(p));
    }
    this.counters.records += records.length;
    await Promise.all([...this.#inFlight]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#socket.close();
  }
}
