/**
 * The -w side of nmdump: one Dumper at a time, rotated by size (-C), by
 * time (-G) and over a fixed number of files (-W) exactly where tcpdump
 * rotates: before writing a packet, when the current file has grown past
 * -C bytes or -G seconds have passed since the current file was opened.
 */
import { dumpOpen, Dumper } from '../../index';
import type { PacketHeader } from '../../index';
import type { NmdumpOptions } from './options';
import { rotatedName, NamingOptions } from './rotation';

export class SavefileWriter {
  readonly #opts: NmdumpOptions;
  readonly #naming: NamingOptions;
  readonly #linktype: number;
  readonly #snaplen: number;
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

  constructor(opts: NmdumpOptions, linktype: number, snaplen: number, now = Date.now()) {
    this.#opts = opts;
    this.#linktype = linktype;
    this.#snaplen = snaplen;
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
    return dumpOpen({ linktype: this.#linktype, snaplen: this.#snaplen }, name,
      { format: this.#opts.pcapng ? 'pcapng' : 'pcap', nanosecond: this.#opts.nano });
  }

  /**
   * Write one packet, rotating first if it is time. Returns false when -G
   * with -W has made its last file: tcpdump stops there ("Maximum file
   * limit reached"), and the packet is not written.
   */
  write(data: Uint8Array, header: PacketHeader, now = Date.now()): boolean {
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
    this.#dumper.dump(data, header);
    if (this.#opts.packetBuffered) this.#track(this.#dumper.flush());
    return true;
  }

  /**
   * Close the current file while rotating. A file's bytes are written
   * synchronously inside close(), so the loop need not wait; a failure is
   * kept and reported by close().
   */
  #retire(): void {
    this.#track(this.#dumper.close());
  }

  #track(done: Promise<void>): void {
    this.#pending = this.#pending.then(() => done);
  }

  /** Flush and close the current file; rejects if any write failed. Idempotent. */
  async close(): Promise<void> {
    await this.#pending;
    await this.#dumper.close();
  }
}
