/**
 * The -w side of nmdump: one Dumper at a time, rotated by size (-C), by
 * time (-G) and over a fixed number of files (-W) exactly where tcpdump
 * rotates: before writing a packet, when the current file has grown past
 * -C bytes or -G seconds have passed since the current file was opened.
 *
 * pcapng files are written as dumpcap writes them: who wrote the file and
 * on what (the section header), an interface block per -i port with its
 * name and filter, each packet's direction where the port knows it, and
 * per port an statistics block (received, dropped) when a file is closed,
 * rotated or not.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dumpOpen, Dumper } from '../../index';
import type { DumpHeader, PacketHeader, Stats } from '../../index';
import type { PacketDirection } from '../../lib/packet';
import type { NmdumpOptions } from './options';
import { rotatedName, NamingOptions } from './rotation';

/** One capture port as the file describes it. */
export interface WriterPort {
  linktype: number;
  snaplen: number;
  /** The -i name (absent for -r). */
  name?: string;
  /** The filter the capture runs. */
  filter?: string;
}

/** shb_userappl: "nmdump (netmap-pcap 0.2.0)", the version from our package.json. */
function userappl(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return `nmdump (netmap-pcap ${pkg.version ?? ''})`.replace(' )', ')');
  } catch {
    return 'nmdump (netmap-pcap)';
  }
}

export class SavefileWriter {
  readonly #opts: NmdumpOptions;
  readonly #naming: NamingOptions;
  readonly #ports: WriterPort[];
  /** Each port's counters, for the statistics blocks (pcapng live captures only). */
  readonly #stats: (() => Stats[]) | undefined;
  /** Packets written per port since the capture started (isb_usrdeliv). */
  readonly #delivered: number[];
  readonly #userappl = userappl();
  /** Reused for every packet: the caller's header plus the port and direction. */
  readonly #header: DumpHeader = { tsSec: 0, tsNsec: 0, caplen: 0, len: 0 };
  #dumper: Dumper;
  /** -C file number within the current -G period. */
  #sizeIndex = 0;
  /** Files opened by -G rotation so far (the first one included). */
  #timeFiles = 1;
  /** When the current -G period began (ms since the epoch). */
  #periodStart: number;
  /** Closes and flushes started while rotating, for close() to wait on. */
  #pending: Promise<void> = Promise.resolve();
  /** Every file name opened, in order (for the caller's report and tests). */
  readonly files: string[] = [];

  constructor(opts: NmdumpOptions, ports: WriterPort[], stats?: () => Stats[], now = Date.now()) {
    this.#opts = opts;
    this.#ports = ports;
    this.#stats = opts.pcapng ? stats : undefined;
    this.#delivered = ports.map(() => 0);
    this.#naming = {
      base: opts.writeFile!,
      bySize: opts.fileSize !== undefined,
      byTime: opts.rotateSeconds !== undefined,
      fileCount: opts.fileCount,
    };
    // tcpdump's -G periods start on a whole second.
    this.#periodStart = Math.floor(now / 1000) * 1000;
    this.#dumper = this.#open(0);
  }

  #open(index: number): Dumper {
    const name = this.#opts.writeFile === '-' ? '-' : rotatedName(this.#naming, index, new Date(this.#periodStart));
    this.files.push(name);
    const [first, ...more] = this.#ports;
    if (!this.#opts.pcapng) {
      return dumpOpen({ linktype: first.linktype, snaplen: first.snaplen }, name,
        { format: 'pcap', nanosecond: this.#opts.nano });
    }
    const dumper = dumpOpen({ linktype: first.linktype, snaplen: first.snaplen }, name, {
      format: 'pcapng',
      nanosecond: this.#opts.nano,
      section: { userappl: this.#userappl, comment: this.#opts.captureComment },
      interface: { name: first.name, filter: first.filter },
    });
    for (const p of more) dumper.addInterface({ linktype: p.linktype, snaplen: p.snaplen, name: p.name, filter: p.filter });
    return dumper;
  }

  /**
   * Write one packet of port `port` (its -i position), rotating first if
   * it is time. Returns false when -G with -W has made its last file:
   * tcpdump stops there ("Maximum file limit reached"), and the packet is
   * not written.
   */
  write(data: Uint8Array, header: PacketHeader, now = Date.now(), port = 0, direction?: PacketDirection): boolean {
    const { rotateSeconds, fileSize, fileCount } = this.#opts;
    if (rotateSeconds !== undefined && now - this.#periodStart >= rotateSeconds * 1000) {
      this.#retire();
      this.#periodStart = Math.floor(now / 1000) * 1000;
      this.#timeFiles++;
      if (fileSize === undefined && fileCount !== undefined && this.#timeFiles > fileCount) return false;
      this.#sizeIndex = 0;
      this.#dumper = this.#open(0);
    }
    if (fileSize !== undefined && this.#dumper.position > fileSize) {
      this.#retire();
      this.#sizeIndex++;
      if (fileCount !== undefined && this.#sizeIndex >= fileCount) this.#sizeIndex = 0;
      this.#dumper = this.#open(this.#sizeIndex);
    }
    const h = this.#header;
    h.tsSec = header.tsSec;
    h.tsNsec = header.tsNsec;
    h.caplen = header.caplen;
    h.len = header.len;
    h.interface = port;
    h.direction = direction;
    this.#dumper.dump(data, h);
    this.#delivered[port]++;
    if (this.#opts.packetBuffered) this.#track(this.#dumper.flush());
    return true;
  }

  /**
   * Close the current file while rotating. A file's bytes are written
   * synchronously inside close(), so the loop need not wait; a failure is
   * kept and reported by close().
   */
  #retire(): void {
    this.#writeStatistics();
    this.#track(this.#dumper.close());
  }

  /**
   * pcapng: a statistics block per port, as dumpcap ends each file:
   * received (stats().recv), dropped (by the kernel's ring and by the
   * interface), and the packets nmdump wrote, all since the capture began.
   */
  #writeStatistics(): void {
    if (!this.#stats || this.#dumper.isClosed) return;
    let all: Stats[];
    try {
      all = this.#stats();
    } catch {
      return; // a port already closed has no counters to give
    }
    all.forEach((s, i) => this.#dumper.writeStatistics(i, {
      ifrecv: s.recv, ifdrop: s.drop + s.ifdrop, usrdeliv: this.#delivered[i],
    }));
  }

  #track(done: Promise<void>): void {
    this.#pending = this.#pending.then(() => done);
  }

  /** Flush and close the current file; rejects if any write failed. Idempotent. */
  async close(): Promise<void> {
    this.#writeStatistics();
    await this.#pending;
    await this.#dumper.close();
  }
}
