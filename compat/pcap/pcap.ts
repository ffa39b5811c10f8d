/**
 * npm pcap 3.1.0's top level (`require('pcap')`), on this library's
 * sessions: createSession, createOfflineSession, findalldevs, lib_version,
 * decode, TCPTracker, TCPSession, DNSCache, warningHandler, Pcap /
 * PcapSession.
 *
 * Built only on the public API (openLive, openOffline, findAllDevs,
 * libVersion): nothing here knows which backend runs underneath.
 */
import { EventEmitter } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { findAllDevs, libVersion, openLive, openOffline, PcapError } from '../../index';
import type { LiveSession, OfflineSession, PacketHeader } from '../../index';
import { decode as decodePacket } from './decode';
import { TCPSession as TCPSessionClass, TCPTracker as TCPTrackerClass } from './tcp_tracker';
import DNSCacheClass = require('./dns_cache');
import { linkTypeString } from '../pcap-internal/linktype';
// Not public API: the listener snapshot the library's own sessions use.
import { ListenerCache } from '../../lib/listeners';

export const decode = decodePacket;
export const TCPTracker = TCPTrackerClass;
export const TCPSession = TCPSessionClass;
export const DNSCache = DNSCacheClass;

/**
 * Called with warnings, as npm pcap's is; replace it to handle them
 * yourself. The one warning given: a live device with no IPv4 address
 * (libpcap's "eth0: no IPv4 address assigned"; filters then compile with
 * netmask 0).
 */
export let warningHandler = function warningHandler(x: string): void {
  console.warn('warning: %s - this may not actually work', x);
};

/** What a 'packet' event carries. */
export class PacketWithHeader {
  /**
   * The packet's bytes, exactly `caplen` of them. A view into ring memory,
   * valid while the 'packet' listeners run (npm pcap's buffer is likewise
   * overwritten by the next packet): copy it (Buffer.from) to keep it.
   */
  buf: Buffer;
  /** tv_sec, tv_usec, caplen, len: 32-bit little-endian; reused for every packet. */
  header: Buffer;
  link_type: string;

  constructor(buf: Buffer, header: Buffer, link_type: string) {
    this.buf = buf;
    this.header = header;
    this.link_type = link_type;
  }
}

/** npm pcap's defaults. */
const DEFAULT_BUFFER_SIZE = 10 * 1024 * 1024;
const DEFAULT_SNAP_LENGTH = 65535;
const DEFAULT_BUFFER_TIMEOUT = 1000;
/** This library's limits (libpcap clamps snaplen to the same maximum). */
const MAX_SNAPLEN = 262144;
const MIN_BUFFER = 256 * 1024;
const MAX_BUFFER = 2 ** 31;
const MAX_TIMEOUT = 60_000;
/** libpcap's PCAP_IF_LOOPBACK flag bit. */
const IF_LOOPBACK = 1;

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** A capture: live on a device, or offline from a savefile. */
export class PcapSession extends EventEmitter {
  is_live: boolean;
  /** The device, or the savefile's path. */
  device_name: string;
  filter: string;
  /** Bytes of kernel buffer (default 10 MiB; this library needs at least 256 KiB and rounds up to it). */
  buffer_size: number;
  /** Bytes kept of each packet (default 65535, at most 262144). */
  snap_length: number;
  /** Not supported: npm pcap's createSession never sets it either. */
  outfile: string;
  is_monitor: boolean;
  /** ms a batch of packets may wait (default 1000); 0 or less: immediate mode. */
  buffer_timeout: number;
  promiscuous: boolean;
  /** "LINKTYPE_ETHERNET", ...; for an offline session, null until the file's header is read. */
  link_type: string | null = null;
  opened: boolean | null = null;
  /** The current packet's bytes (see PacketWithHeader.buf). */
  buf: Buffer | null = null;
  /** The current packet's 16-byte record header. */
  header: Buffer | null = null;
  empty_reads = 0;
  packets_read: number | null = null;
  /** The netmap-pcap session underneath (null until an offline file is open). */
  session: LiveSession | OfflineSession | null = null;
  #completed = false;
  /** on_packet_ready's listeners: emit's meaning, without its per-call work. */
  readonly #packetListeners = new ListenerCache(this, 'packet');

  constructor(is_live: boolean, device_name: string, filter?: string, buffer_size?: number,
              snap_length?: number | null, outfile?: string | null, is_monitor?: boolean,
              buffer_timeout?: number, promiscuous?: boolean) {
    super();
    this.is_live = is_live;
    this.device_name = device_name;
    this.filter = filter || '';
    this.outfile = outfile || '';
    this.is_monitor = Boolean(is_monitor);
    this.promiscuous = promiscuous === undefined ? true : promiscuous;
    this.buffer_size = isNumber(buffer_size) ? Math.round(buffer_size) : DEFAULT_BUFFER_SIZE;
    this.snap_length = isNumber(snap_length) ? Math.round(snap_length) : DEFAULT_SNAP_LENGTH;
    this.buffer_timeout = isNumber(buffer_timeout) ? Math.round(buffer_timeout) : DEFAULT_BUFFER_TIMEOUT;
    if (this.outfile) {
      throw new PcapError('outfile is not supported: dump with netmap-pcap\'s dumpOpen(session.session, path) instead', 'ENOTSUP');
    }
    this.header = Buffer.alloc(16);
    if (is_live) this.openLive();
    else this.openOffline();
    this.opened = true;
  }

  /** Emit the current packet (buf, header, link_type) as 'packet'. */
  on_packet_ready(): void {
    this.#packetListeners.call1(new PacketWithHeader(this.buf!, this.header!, this.link_type!));
  }

  /** EventEmitter's; on_packet_ready's listeners are watched again after it. */
  override removeAllListeners(event?: string | symbol): this {
    if (arguments.length === 0) super.removeAllListeners();
    else super.removeAllListeners(event);
    this.#packetListeners.rewatch();
    return this;
  }

  /** Stop capturing; no more events. */
  close(): void {
    this.opened = false;
    this.removeAllListeners();
    this.session?.close();
  }

  /** { ps_recv, ps_drop, ps_ifdrop } since the session opened. */
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number } {
    if (this.session === null) throw new PcapError('the savefile is not open yet; wait for the first packet', 'EINVAL');
    const s = this.session.stats();
    return { ps_recv: s.recv, ps_drop: s.drop, ps_ifdrop: s.ifdrop };
  }

  /** Send one frame (a Buffer) on the device. */
  inject(data: Buffer): void {
    if (!Buffer.isBuffer(data)) throw new PcapError('inject: the packet must be a Buffer', 'EINVAL');
    const session = this.session;
    if (!this.is_live || session === null || !('inject' in session)) {
      throw new PcapError('inject needs a live session (createSession), not a savefile', 'EINVAL');
    }
    session.inject(data);
  }

  private openLive(): void {
    if (this.is_monitor) {
      throw new PcapError('monitor (rfmon) mode is not supported: put the interface in monitor mode first ' +
        '(iw dev IF set type monitor) and open it with monitor: false', 'ENOTSUP');
    }
    const devices = findAllDevs();
    this.device_name = this.device_name || devices[0]?.name;
    if (!this.device_name) throw new PcapError('no capture device found; pass a device name', 'ENODEV');
    const device = devices.find((d) => d.name === this.device_name);
    if (device && !device.addresses.some((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a.addr))) {
      warningHandler(`${this.device_name}: no IPv4 address assigned`);
    }
    const session = openLive(this.device_name, {
      filter: this.filter || undefined,
      snaplen: this.snap_length > 0 ? Math.min(this.snap_length, MAX_SNAPLEN) : MAX_SNAPLEN,
      bufferSize: clamp(this.buffer_size, MIN_BUFFER, MAX_BUFFER),
      promisc: Boolean(this.promiscuous),
      ...(this.buffer_timeout > 0 ? { timeout: Math.min(this.buffer_timeout, MAX_TIMEOUT) } : { immediate: true }),
    });
    this.session = session;
    this.link_type = linkTypeString(session.datalink());
    this.listenTo(session);
  }

  private openOffline(): void {
    const path = this.device_name;
    try {
      accessSync(path, constants.R_OK);
    } catch (e) {
      throw new PcapError(`${path}: ${(e as Error).message}`, 'ENOENT');
    }
    openOffline(path, this.filter ? { filter: this.filter } : {}).then((session) => {
      if (this.opened === false) {
        session.close();
        return;
      }
      this.session = session;
      this.link_type = linkTypeString(session.datalink());
      session.once('end', () => this.complete());
      this.listenTo(session);
    }, (err: unknown) => {
      this.report(err);
      this.complete();
    });
  }

  /** Forward the session's packets (and errors) as npm pcap's events. */
  private listenTo(session: LiveSession | OfflineSession): void {
    const header = this.header!;
    // The record header npm pcap hands out: tv_sec, tv_usec, caplen, len, little-endian.
    const fields = new DataView(header.buffer, header.byteOffset, 16);
    session.on('packet', (data: Buffer, h: PacketHeader) => {
      this.buf = data;
      fields.setUint32(0, h.tsSec, true);
      fields.setUint32(4, (h.tsNsec / 1000) | 0, true);
      fields.setUint32(8, h.caplen, true);
      fields.setUint32(12, h.len, true);
      this.on_packet_ready();
    });
    session.on('error', (err: unknown) => {
      this.report(err);
      // npm pcap ends a savefile that goes bad (truncated, corrupt) as if it had ended.
      if (!this.is_live) this.complete();
    });
  }

  /**
   * An error of the session underneath: 'error' if anyone listens (npm pcap
   * has no such event; nothing here may crash a program written for it),
   * else the warning handler.
   */
  private report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else warningHandler(err instanceof Error ? err.message : String(err));
  }

  /** An offline session's end: 'complete', once. */
  private complete(): void {
    if (this.session?.closed === false) this.session.close();
    if (this.opened === false || this.#completed) return;
    this.#completed = true;
    this.emit('complete');
  }
}

/** npm pcap's other name for PcapSession. */
export const Pcap = PcapSession;

/** libpcap's version string. */
export const lib_version = libVersion();

/** Capture devices as npm pcap lists them: name, description, addresses (IPv4 and IPv6), flags. */
export function findalldevs(): { name: string; description?: string; addresses: object[]; flags?: string }[] {
  return findAllDevs().map((d) => ({
    name: d.name,
    ...(d.description !== undefined ? { description: d.description } : {}),
    addresses: d.addresses.map((a) => ({ ...a })),
    ...((d.flags & IF_LOOPBACK) !== 0 ? { flags: 'PCAP_IF_LOOPBACK' } : {}),
  }));
}

export interface LiveSessionOptions {
  filter?: string;
  buffer_size?: number;
  promiscuous?: boolean;
  buffer_timeout?: number;
  monitor?: boolean;
  snap_length?: number;
}

/** Start capturing on `device` (default: the first device); 'packet' events follow. */
export function createSession(device: string, options: LiveSessionOptions = {}): PcapSession {
  const o = options || {};
  return new PcapSession(true, device, o.filter, o.buffer_size, o.snap_length, null, o.monitor, o.buffer_timeout, o.promiscuous);
}

/** Read a savefile (pcap or pcapng): 'packet' for each packet, then 'complete'. */
export function createOfflineSession(path: string, options: { filter?: string } = {}): PcapSession {
  const o = options || {};
  return new PcapSession(false, path, o.filter, 0, null, null);
}
