/**
 * Replay: frames read from pcap/pcapng files through the offline ring
 * (no copy until the one into the TX slot), file after file, --loop
 * times. Capture times run on across files and passes: a new pass
 * starts where the last one ended, so --multiplier keeps its pace.
 */
import { LinkType, linkTypeName } from '../../lib/linktype';
import { openOffline, OfflineSession } from '../../lib/offline';
import type { Ring } from '../../lib/ring';
import type { BatchTime, FrameSource } from './source';
import { UsageError } from './usage-error';

/**
 * Open each file once before sending anything, so a missing or foreign
 * file stops the run before its first frame. Throws a PcapError (missing,
 * corrupt) or a UsageError (not Ethernet).
 */
export async function checkReplayFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const s = await openOffline(file);
    const lt = s.datalink();
    s.close();
    if (lt !== LinkType.ETHERNET) {
      throw new UsageError(`${file} holds ${linkTypeName(lt)} frames; nmsend replays Ethernet (EN10MB) captures only`);
    }
  }
}

export class ReplaySource implements FrameSource {
  readonly #files: readonly string[];
  readonly #loops: number;
  #pass = 0;
  #fileIndex = -1;
  #session: OfflineSession | undefined;
  #ring: Ring | undefined;
  #bytes: Buffer = Buffer.alloc(0);
  #cursor = 0;
  #tail = 0;
  /** Capture time of this pass's first frame (sec, nsec), and where on the timeline the pass starts. */
  #passSec = -1;
  #passNsec = 0;
  #passStartNs = 0;
  #lastNs = 0;

  constructor(files: readonly string[], loops: number) {
    this.#files = files;
    this.#loops = loops;
  }

  hasFrame(): boolean {
    return this.#cursor !== this.#tail;
  }

  async refill(): Promise<boolean> {
    for (;;) {
      const ring = this.#ring;
      if (ring) {
        ring.advance(this.#cursor);
        ring.sync();
        this.#cursor = ring.head;
        this.#tail = ring.tail;
        if (this.#cursor !== this.#tail) return true;
        if (await this.#session!.waitForPackets()) continue;
      }
      if (!(await this.#nextFile())) return false;
    }
  }

  /** Open the next file (or start the next pass); false when all passes are done. */
  async #nextFile(): Promise<boolean> {
    this.close();
    if (++this.#fileIndex === this.#files.length) {
      this.#fileIndex = 0;
      if (++this.#pass >= this.#loops) return false;
      this.#passSec = -1; // the next frame read starts the new pass's timeline
      this.#passStartNs = this.#lastNs;
    }
    const session = await openOffline(this.#files[this.#fileIndex]);
    this.#session = session;
    this.#ring = session.rxRing();
    this.#bytes = Buffer.from(this.#ring.buffer);
    this.#cursor = this.#tail = this.#ring.head;
    return true;
  }

  len(): number {
    return this.#ring!.slotCaplen(this.#cursor);
  }

  tsNs(): number {
    const ring = this.#ring!;
    const sec = ring.slotTsSec(this.#cursor);
    const nsec = ring.slotTsNsec(this.#cursor);
    if (this.#passSec < 0) {
      this.#passSec = sec;
      this.#passNsec = nsec;
    }
    this.#lastNs = this.#passStartNs + (sec - this.#passSec) * 1e9 + (nsec - this.#passNsec);
    return this.#lastNs;
  }

  take(dst: Buffer, off: number, _time: BatchTime): void {
    const o = this.#ring!.slotOffset(this.#cursor);
    this.#bytes.copy(dst, off, o, o + this.len());
    this.skip();
  }

  skip(): void {
    this.#cursor = this.#ring!.next(this.#cursor);
  }

  close(): void {
    this.#session?.close();
    this.#session = undefined;
    this.#ring = undefined;
    this.#cursor = this.#tail = 0;
  }
}
