/**
 * cap's `Cap`: one capture at a time, each packet copied into the Buffer
 * the caller handed to open(), announced by a `'packet'(nbytes, truncated)`
 * event. Built on this library's public session API (openLive).
 */
import { EventEmitter } from 'node:events';
import { openLive, LiveSession } from '../../index';
import type { PacketHeader } from '../../index';
import { argError, bytesOf, isBufferLike, isUint32, notOpen } from './args';
import { deviceList, findDevice } from './devices';
import { capLinkType } from './linktype';
// Not public API: the listener snapshot the library's own sessions use.
import { ListenerCache } from '../../lib/listeners';

/** cap captures whole IPv4 packets: libpcap snaplen 65535. */
const SNAPLEN = 65535;
/** The kernel ring this library accepts (cap passes bufSize to libpcap,
 * which the OS clamps in the same way, silently). */
const MIN_RING = 256 * 1024;
const MAX_RING = 2 ** 31;

export declare interface Cap {
  /** A packet of `nbytes` bytes (those copied into the open() buffer) was
   * captured; `truncated`: it did not fit in that buffer. */
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
  /** Not in cap (where a failing capture aborted the process): the capture
   * failed (e.g. the interface went away) or a 'packet' listener threw. */
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export class Cap extends EventEmitter {
  /** cap's static `Cap.findDevice([ip])`. */
  static findDevice = findDevice;
  /** cap's static `Cap.deviceList()`. */
  static deviceList = deviceList;

  #session: LiveSession | undefined;
  #buffer: Buffer | undefined;
  /** 'packet' listeners, called as emit would call them, without its per-call work. */
  readonly #packetListeners = new ListenerCache(this, 'packet');

  /**
   * Open `device` and start capturing packets that match `filter` (libpcap
   * syntax; '' for all), always in promiscuous mode, each packet delivered
   * as soon as it arrives. `bufSize` is the kernel buffer in bytes (this
   * library uses 256 KiB to 2 GiB and clamps to that range); `buffer` is
   * where each packet is written. An open Cap is closed first. Returns the
   * link type: 'ETHERNET', 'NULL', 'IEEE802_11_RADIO', 'LINKTYPE_LINUX_SLL',
   * 'RAW' or "Unknown linktype N".
   */
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string {
    this.close();
    // cap's checks, in its order, with its messages.
    if (arguments.length < 4) throw argError('Expecting 4 arguments');
    if (typeof device !== 'string') throw argError('device must be a string');
    if (typeof filter !== 'string') throw argError('filter must be a string');
    if (!isUint32(bufSize)) throw argError('bufSize must be a positive integer');
    if (!isBufferLike(buffer)) throw argError('buffer must be a Buffer');
    const session = openLive(device, {
      snaplen: SNAPLEN,
      promisc: true,
      immediate: true,
      bufferSize: Math.min(Math.max(bufSize, MIN_RING), MAX_RING),
      filter: filter === '' ? undefined : filter,
    });
    this.#session = session;
    this.#buffer = bytesOf(buffer);
    session.on('packet', (data: Buffer, header: PacketHeader) => this.#deliver(session, data, header));
    session.on('error', (err: Error) => this.emit('error', err));
    return capLinkType(session.datalink());
  }

  /** Stop capturing. Returns whether there was a capture to stop. Allowed
   * inside a 'packet' listener: no further packet is announced. */
  close(): boolean {
    const session = this.#session;
    if (!session) return false;
    this.#session = undefined;
    this.#buffer = undefined;
    session.close();
    return true;
  }

  /**
   * Send `buffer`'s first `nBytes` bytes (default: all of it) as one frame
   * on the open device.
   */
  send(buffer: Buffer, nBytes?: number): void {
    if (arguments.length === 0) throw argError('the first parameter must be a buffer');
    if (!isBufferLike(buffer)) throw argError('first parameter must be a buffer');
    let size = buffer.byteLength;
    if (arguments.length >= 2) {
      if (!isUint32(nBytes)) throw argError('length must be a positive integer');
      if (nBytes > size) throw argError('size must be smaller or equal to buffer length');
      size = nBytes;
    }
    // cap handed a closed handle to libpcap (and crashed); ours says why.
    if (!this.#session) throw notOpen();
    this.#session.inject(bytesOf(buffer).subarray(0, size));
  }

  /**
   * cap's WinPcap minimum-bytes-to-copy (cap has it on Windows only). Our
   * sessions already hand over every packet as it arrives, which is what
   * `setMinBytes(0)` asks for, so after cap's checks this does nothing.
   */
  setMinBytes(nBytes: number): void {
    if (arguments.length < 1) throw argError('missing min bytes value');
    if (!isUint32(nBytes)) throw argError('min bytes must be a positive number');
    if (!this.#session) throw notOpen();
  }

  /** EventEmitter's; the 'packet' listeners are watched again after it. */
  override removeAllListeners(event?: string | symbol): this {
    if (arguments.length === 0) super.removeAllListeners();
    else super.removeAllListeners(event);
    this.#packetListeners.rewatch();
    return this;
  }

  /** Copy one packet into the caller's buffer and announce it. */
  #deliver(session: LiveSession, data: Buffer, header: PacketHeader): void {
    // A close() (or a re-open) inside an earlier listener of this batch.
    if (session !== this.#session) return;
    const target = this.#buffer!;
    const caplen = header.caplen;
    // TypedArray#set: one memmove, no view made unless the packet is cut.
    if (caplen <= target.length) target.set(data);
    else target.set(data.subarray(0, target.length));
    this.#packetListeners.call2(Math.min(caplen, target.length), caplen > target.length);
  }
}
