/**
 * Writing savefiles from sessions: libpcap's pcap_open_dead / pcap_dump_open.
 */
import type { Writable } from 'node:stream';
import { check } from './errors';
import { Dumper } from './savefile/dumper';
import type { InterfaceDescription, SectionOptions } from './savefile/dumper';
import { LiveSession } from './live';
import { Session } from './session';

/** A session with a link type and snaplen and no packets: for dumpOpen. */
export class DeadSession {
  readonly snaplen: number;
  readonly #linktype: number;

  constructor(linktype: number, snaplen: number) {
    check(Number.isInteger(linktype) && linktype >= 0 && linktype <= 0xffff, 'linktype must be an integer from 0 to 65535');
    check(Number.isInteger(snaplen) && snaplen >= 1 && snaplen <= 262144, 'snaplen must be an integer from 1 to 262144');
    this.#linktype = linktype;
    this.snaplen = snaplen;
  }

  datalink(): number {
    return this.#linktype;
  }
}

/** libpcap's pcap_open_dead: a link type and snaplen to dump with. */
export function openDead(linktype: number, snaplen = 262144): DeadSession {
  return new DeadSession(linktype, snaplen);
}

export interface DumpOptions {
  /** 'pcap' (default) or 'pcapng'. */
  format?: 'pcap' | 'pcapng';
  /** Nanosecond timestamps. Default false (microseconds). */
  nanosecond?: boolean;
  /**
   * pcapng: the section header's options (shb_userappl, shb_os,
   * shb_hardware, a file comment). Defaults: 'netmap-pcap', this host's OS
   * and CPU model.
   */
  section?: SectionOptions;
  /**
   * pcapng: interface 0's Interface Description Block options (if_name,
   * if_description, if_filter, a comment). For a live session `name`
   * defaults to `session.device`. More ports: `dumper.addInterface()`.
   */
  interface?: InterfaceDescription;
}

/**
 * Open a dump file for what `from` captures: a session, openDead()'s
 * result, or `{ linktype, snaplen }`. `to` is a path, '-' for stdout, or a
 * Writable. Writes are buffered and batched; `flush()` and `close()` put
 * every packet dumped so far on disk.
 */
export function dumpOpen(from: Session | DeadSession | { linktype: number; snaplen?: number },
                         to: string | Writable, options: DumpOptions = {}): Dumper {
  check(typeof options === 'object' && options !== null, 'options must be an object');
  const { linktype, snaplen } = from instanceof Session || from instanceof DeadSession
    ? { linktype: from.datalink(), snaplen: from.snaplen } : from;
  const format = options.format;
  // A live session names its interface unless the caller does.
  const iface = format === 'pcapng' && from instanceof LiveSession
    ? { name: from.device, ...options.interface } : options.interface;
  return new Dumper(to, { format, nanosecond: options.nanosecond, linktype, snaplen, section: options.section, interface: iface });
}
