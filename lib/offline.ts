/**
 * Offline sessions: savefiles (pcap, pcapng) read through the same ring
 * model and API as live ports.
 *
 * The file is read in chunks into one fixed buffer, so memory stays
 * constant whatever the file's size; `sync()` parses whole records into
 * slots that point into that buffer (no copy) and runs the filter over the
 * whole batch in one native call.
 */
import { statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { native, NativeFilter } from './binding';
import { check, PcapError } from './errors';
import { Ring, ringLayout } from './ring';
import { openInput, ByteInput } from './savefile/input';
import { MAX_BLOCK } from './savefile/format';
import { NativeWalk } from './savefile/native';
import { openParser, SavefileParser } from './savefile/parser';
import { Session } from './session';
import { PacketSource, ReadyCallback } from './source';

const { HEAD, CUR, TAIL, NUM_SLOTS, SLOT0, SLOT_WORDS, OFFSET, CAPLEN, LEN, TS_SEC, TS_NSEC, FLAGS } = ringLayout;
/** tcpdump -r compiles with netmask 0 (so `ip broadcast` compiles). */
const FILE_NETMASK = 0;
/**
 * Bytes per read: large enough that a system call is rare, small enough
 * that the bytes it copies are still in the CPU cache when the walk
 * parses them, right after.
 */
const READ_CHUNK = 256 << 10;
/** Unparsed bytes worth moving to the front before a read (see #roomToRead). */
const CHEAP_MOVE = 64 << 10;
/**
 * How far into the buffer one sync reads while JS holds packets of it:
 * a filter that keeps few packets would otherwise fill a ring's worth of
 * matches from megabytes of reads, and stream them through memory the
 * CPU cache no longer holds. A sync stops there; the next one (once the
 * batch is released) starts again at the front.
 */
const WINDOW = 1 << 20;

export interface OfflineOptions {
  /** A libpcap filter applied to every packet. */
  filter?: string;
  /** Slots in the ring JS sees (the largest batch). Default 4096. */
  ringSlots?: number;
  /** Bytes of read buffer (constant memory). Default 8 MiB. */
  bufferSize?: number;
  /** Close the session when this signal aborts. */
  signal?: AbortSignal;
}

/** A savefile as a PacketSource. */
class FileSource implements PacketSource {
  readonly words: Uint32Array;
  readonly buffer: ArrayBuffer;
  readonly numSlots: number;
  readonly #bytes: Uint8Array;
  readonly #input: ByteInput;
  readonly #ready: ReadyCallback;
  readonly #parser: SavefileParser;
  readonly #ringMemory: ArrayBuffer;
  /** Bytes of the buffer in use: [0, dataEnd) read, [parsePos, dataEnd) unparsed. */
  #dataEnd: number;
  #parsePos: number;
  /** File offset of buffer[0]. */
  #base = 0;
  #head = 0;
  #tail = 0;
  #eof = false;
  #needData = false;
  #reading = false;
  #wanted = false;
  #readyScheduled = false;
  #closed = false;
  /** Corrupt or truncated data found past the packets still to deliver. */
  #damage: Error | null = null;
  /** The error that ended the source (docs/shapes.md §5): nothing more comes. */
  #failed: Error | null = null;
  /** Filter programs by interface index (pcapng files may mix link types). */
  #filter: string | null = null;
  #programs: (NativeFilter | undefined)[] = [];
  /** The native record walk, or null when this file's records are all the parser's. */
  readonly #walk: NativeWalk | null;
  /** walkSavefile's results: where it stopped, slots written, records parsed. */
  readonly #walked = new Uint32Array(3);
  #recv = 0;

  constructor(input: ByteInput, parser: SavefileParser, bytes: Uint8Array, dataEnd: number,
              parsePos: number, numSlots: number, ready: ReadyCallback) {
    this.#input = input;
    this.#parser = parser;
    this.#bytes = bytes;
    this.buffer = bytes.buffer as ArrayBuffer;
    this.#dataEnd = dataEnd;
    this.#parsePos = parsePos;
    this.#ready = ready;
    this.numSlots = numSlots;
    this.#ringMemory = new ArrayBuffer(ringLayout.SLOT0 * 4 + numSlots * SLOT_WORDS * 4);
    this.words = new Uint32Array(this.#ringMemory);
    this.words[NUM_SLOTS] = numSlots;
    this.#walk = NativeWalk.for(parser);
  }

  get linktype(): number { return this.#parser.linktype; }
  get snaplen(): number { return this.#parser.snaplen; }
  /** Nothing more will be published: end of input, everything parsed. */
  get ended(): boolean { return this.#eof && this.#parsePos === this.#dataEnd && this.#damage === null; }
  /** Set once a corrupt or truncated file has ended the source. */
  get failed(): Error | null { return this.#failed; }
  get parser(): SavefileParser { return this.#parser; }
  get ringMemory(): ArrayBuffer { return this.#ringMemory; }

  linktypeOf(slot: number): number {
    const iface = this.words[SLOT0 + slot * SLOT_WORDS + FLAGS] & 0xffff;
    return this.#parser.interfaces[iface]?.linktype ?? this.#parser.linktype;
  }

  sync(): void {
    if (this.#failed) throw this.#failed;
    const w = this.words;
    const head = w[HEAD];
    const n = this.numSlots;
    const owned = (this.#tail - this.#head + n) % n;
    if (head >= n || (head - this.#head + n) % n > owned) {
      w[HEAD] = w[CUR] = this.#head;
      throw new PcapError(`ring head ${head} is outside [${this.#head}, ${this.#tail}]; ` +
        `the ring was reset to head ${this.#head}`, 'EBADSLOT');
    }
    this.#head = head;
    try {
      this.#fill();
    } catch (e) {
      // A read that failed (EIO): like damage, after what is published.
      this.#damage ??= e as Error;
    }
    w[TAIL] = this.#tail;
    if (this.#head === this.#tail && this.#damage) {
      // Every packet before the damage has been handed out: the end.
      this.#fail(this.#damage);
      throw this.#damage;
    }
    if (this.#wanted) this.#keepFlowing();
  }

  /**
   * While the session wants packets: with none published and the buffer
   * parsed out, read on a thread; otherwise the session's next sync goes
   * on (it reads at once what the page cache holds).
   */
  #keepFlowing(): void {
    if (this.#needData && this.#head === this.#tail && this.#damage === null) this.#pump();
    else this.#readySoon();
  }

  /** Nothing more can come: release the file at once. */
  #fail(err: Error): void {
    this.#failed = err;
    this.close();
  }

  /** Tell the session on the next turn of the event loop (once). */
  #readySoon(): void {
    if (this.#readyScheduled || this.#closed) return;
    this.#readyScheduled = true;
    setImmediate(() => {
      this.#readyScheduled = false;
      if (this.#wanted && !this.#closed) this.#ready();
    });
  }

  /**
   * Fill the free slots: parse what the buffer holds and, while the ring
   * has room and the page cache has the next bytes, read them now (one
   * system call, no thread, no turn of the event loop) and go on.
   */
  #fill(): void {
    for (;;) {
      this.#parseInto();
      if (!this.#needData || this.#reading || this.#damage) return;
      const room = this.#roomToRead();
      if (room === 0) return; // compacting would move packets JS holds: after it releases them
      const got = this.#input.readNow(this.#bytes, this.#dataEnd, Math.min(room, this.#readSize()));
      if (got < 0) return; // not cached: #pump reads on a thread
      if (got === 0) this.#eof = true;
      this.#dataEnd += got;
      this.#needData = false;
    }
  }

  /** Bytes the next read asks for: a chunk, or the rest of a record larger than one. */
  #readSize(): number {
    return Math.max(READ_CHUNK, this.#parser.needed - (this.#dataEnd - this.#parsePos));
  }

  /**
   * Room after the data for a read done now. While JS holds no slot, what
   * is left unparsed (part of one record) is moved to the front first when
   * that is cheap, so reads keep landing in the same, cache-warm bytes;
   * while it holds some, only the room within WINDOW (0: wait for the
   * release).
   */
  #roomToRead(): number {
    const leftover = this.#dataEnd - this.#parsePos;
    let room = this.#bytes.length - this.#dataEnd;
    if (this.#head === this.#tail && this.#parsePos > 0 && (leftover <= CHEAP_MOVE || room < this.#readSize())) {
      this.#compact();
      room = this.#bytes.length - this.#dataEnd;
    }
    if (this.#head === this.#tail) return room;
    return room >= this.#readSize() && this.#dataEnd + this.#readSize() <= WINDOW ? room : 0;
  }

  /** Parse whole records from the buffer into free slots: the native walk, the parser for the rest. */
  #parseInto(): void {
    const n = this.numSlots;
    const w = this.words;
    const parser = this.#parser;
    const walk = this.#walk;
    let free = n - 1 - (this.#tail - this.#head + n) % n;
    let taken = 0;
    // The parser's records land in slots as they are; the filter runs over them after.
    const sink = (offset: number, caplen: number, len: number, tsSec: number, tsNsec: number,
      _linktype: number, iface: number): boolean => {
      // With a walk, one record at a time: the walk takes the common ones after it.
      if (free === 0 || (walk !== null && taken > 0)) return false;
      const s = SLOT0 + this.#tail * SLOT_WORDS;
      w[s + OFFSET] = offset;
      w[s + CAPLEN] = caplen;
      w[s + LEN] = len;
      w[s + TS_SEC] = tsSec;
      w[s + TS_NSEC] = tsNsec;
      w[s + FLAGS] = iface;
      this.#tail = this.#tail + 1 === n ? 0 : this.#tail + 1;
      free--;
      taken++;
      this.#recv++;
      return true;
    };
    while (free > 0 && this.#parsePos < this.#dataEnd && this.#damage === null) {
      if (walk !== null) {
        const out = this.#walked;
        native.walkSavefile(this.buffer, this.#parsePos, this.#dataEnd, this.#ringMemory, this.#tail, free,
          walk.params, this.#programs, out);
        this.#parsePos = out[0];
        this.#tail = (this.#tail + out[1]) % n;
        free -= out[1];
        this.#recv += out[2];
        if (free === 0) break;
      }
      const from = this.#tail;
      taken = 0;
      let used: number;
      try {
        used = parser.parse(this.#bytes, this.#parsePos, this.#dataEnd, this.#base + this.#parsePos, sink);
      } catch (e) {
        this.#damage = e as Error; // delivered after every packet before it
        break;
      }
      this.#parsePos += used;
      if (walk !== null) walk.refresh();
      if (this.#filter !== null) {
        this.#compileMissing();
        if (from !== this.#tail) {
          this.#tail = native.filterSlots(this.#ringMemory, this.buffer, this.#programs, from, this.#tail);
          free = n - 1 - (this.#tail - this.#head + n) % n;
        }
      }
      if (used === 0 || walk === null) break; // an incomplete record, or the parser took all it could
    }
    // Not stopped by a full ring: the rest is an incomplete record.
    this.#needData = free > 0 && !this.#eof && this.#damage === null;
    if (this.#eof && free > 0 && this.#parsePos < this.#dataEnd && this.#damage === null) {
      try {
        parser.finish(this.#dataEnd - this.#parsePos, this.#base + this.#parsePos);
        this.#parsePos = this.#dataEnd;
      } catch (e) {
        this.#damage = e as Error;
      }
    }
  }

  want(on: boolean): void {
    this.#wanted = on;
    if (on) this.#keepFlowing(); // damage waits for the next sync, which reports it
  }

  /** Read more of the input on a thread, then tell the session. One read at a time. */
  #pump(): void {
    if (this.#reading || this.#eof || this.#closed || this.#damage) return;
    this.#reading = true;
    this.#readMore().then(() => {
      this.#reading = false;
      if (!this.#closed) this.#ready();
    }, (err: Error) => {
      this.#reading = false;
      if (this.#closed) return;
      // A failed read ends the source: the session hears it as fatal.
      this.#fail(err);
      this.#ready(err);
    });
  }

  async #readMore(): Promise<void> {
    // Moving bytes costs a copy of everything kept: only when room runs
    // short, or when it is cheap (see #roomToRead).
    const leftover = this.#dataEnd - this.#parsePos;
    if (this.#bytes.length - this.#dataEnd < this.#readSize() ||
        (this.#head === this.#tail && leftover <= CHEAP_MOVE)) this.#compact();
    const room = this.#bytes.length - this.#dataEnd;
    if (room === 0) {
      throw new PcapError(`a record at byte ${this.#base + this.#parsePos} does not fit the ` +
        `${this.#bytes.length}-byte read buffer; raise bufferSize`, 'EBADFILE');
    }
    const got = await this.#input.read(this.#bytes, this.#dataEnd, Math.min(room, this.#readSize()));
    if (got === 0) this.#eof = true;
    this.#dataEnd += got;
    this.#needData = false;
  }

  /** Move what is still needed to the front of the buffer. */
  #compact(): void {
    const w = this.words;
    const n = this.numSlots;
    let keep = this.#parsePos;
    for (let i = this.#head; i !== this.#tail; i = i + 1 === n ? 0 : i + 1) {
      keep = Math.min(keep, w[SLOT0 + i * SLOT_WORDS + OFFSET]);
    }
    if (keep === 0) return;
    this.#bytes.copyWithin(0, keep, this.#dataEnd);
    for (let i = this.#head; i !== this.#tail; i = i + 1 === n ? 0 : i + 1) {
      w[SLOT0 + i * SLOT_WORDS + OFFSET] -= keep;
    }
    this.#dataEnd -= keep;
    this.#parsePos -= keep;
    this.#base += keep;
  }

  setFilter(expression: string | null): void {
    this.#filter = expression;
    this.#programs = [];
    if (expression !== null) this.#compileMissing();
  }

  /** One program per interface, compiled for that interface's link type. */
  #compileMissing(): void {
    const ifaces = this.#parser.interfaces.length > 0 ? this.#parser.interfaces
      : [{ linktype: this.#parser.linktype, snaplen: this.#parser.snaplen }];
    for (let i = this.#programs.length; i < ifaces.length; i++) {
      this.#programs.push(native.compileFilter(this.#filter!, ifaces[i].linktype,
        ifaces[i].snaplen || 262144, 1, FILE_NETMASK, true));
    }
  }

  stats(): { recv: number; drop: number; ifdrop: number } {
    return { recv: this.#recv, drop: 0, ifdrop: 0 };
  }

  close(): void {
    this.#closed = true;
    this.#input.close();
  }
}

/**
 * A savefile session. Made by `openOffline()`. Same reading API as live
 * sessions; `loop()` resolves, the iterator finishes and `'end'` is
 * emitted at the end of the file.
 */
export class OfflineSession extends Session {
  readonly #file: FileSource;
  #ring: Ring | undefined;

  /** @internal Use openOffline(). */
  constructor(name: string, make: (ready: ReadyCallback) => FileSource, signal?: AbortSignal) {
    let file: FileSource | undefined;
    super(name, (ready) => (file = make(ready)), 0, signal);
    this.#file = file!;
  }

  /**
   * The ring itself, as on live ports: `sync()` parses the next records
   * (and runs the filter) into slots that point into the read buffer, and
   * hands back those before head. For loops that allocate nothing per
   * packet. `sync()` never waits: when it publishes nothing, `await
   * session.waitForPackets()` reads more (false at the end of the file).
   */
  rxRing(index = 0): Ring {
    this.assertOpen();
    check(index === 0, `a savefile has one ring (index 0), not ${index}`);
    this.#ring ??= new Ring('rx', this.#file.ringMemory, this.#file.buffer,
      () => { this.syncSource(); return this.#file.words[TAIL]; }, () => !this.closed);
    return this.#ring;
  }

  /** 'pcap' or 'pcapng'. */
  get format(): 'pcap' | 'pcapng' {
    return this.#file.parser.format;
  }

  /** true if the file's timestamps have nanosecond resolution. */
  get nanosecond(): boolean {
    return this.#file.parser.nanosecond;
  }

  /** pcapng interfaces (link type, snaplen, name) in file order. */
  get interfaces(): SavefileParser['interfaces'] {
    return this.#file.parser.interfaces;
  }

  /** pcapng comments (opt_comment) seen so far. */
  get comments(): readonly string[] {
    return this.#file.parser.comments;
  }
}

function defaultBufferSize(input: string | Readable): number {
  const most = MAX_BLOCK + READ_CHUNK;
  if (typeof input !== 'string' || input === '-') return most;
  try {
    const st = statSync(input);
    return st.isFile() ? Math.min(most, Math.max(1 << 20, st.size + 1)) : most;
  } catch {
    return most; // openInput reports the real problem
  }
}

/**
 * Open a savefile: a path, '-' for stdin, or a Readable. Resolves once the
 * file header has been read (so datalink() is known).
 */
export async function openOffline(input: string | Readable, options: OfflineOptions = {}): Promise<OfflineSession> {
  check(typeof options === 'object' && options !== null, 'options must be an object');
  const numSlots = options.ringSlots ?? 4096;
  // The largest pcapng block (16 MiB) must fit; a file smaller than that
  // needs no more than its own size (a 17 MiB buffer per open costs the
  // garbage collector ~10 ms: it counts as external memory).
  const bufferSize = options.bufferSize ?? defaultBufferSize(input);
  check(Number.isInteger(numSlots) && numSlots >= 2 && numSlots <= 1 << 20, 'ringSlots must be an integer from 2 to 1048576');
  check(Number.isInteger(bufferSize) && bufferSize >= 1 << 20 && bufferSize <= 2 ** 31,
    'bufferSize must be an integer from 1 MiB to 2 GiB');
  const name = typeof input === 'string' ? input : '(stream)';
  const source = await openInput(input);
  try {
    const bytes = new Uint8Array(new ArrayBuffer(bufferSize));
    let end = 0;
    let opened: ReturnType<typeof openParser> = null;
    while (!opened) {
      const got = await source.read(bytes, end, Math.min(bytes.length - end, READ_CHUNK));
      end += got;
      opened = openParser(bytes, 0, end, got === 0);
      if (!opened && got === 0) {
        throw new PcapError(`${name} ends before its file header is complete (${end} bytes)`, end === 0 ? 'EBADFILE' : 'ETRUNC');
      }
      if (!opened && end === bytes.length) {
        throw new PcapError(`${name}: the file header is larger than the read buffer; raise bufferSize`, 'EBADFILE');
      }
    }
    const { parser } = opened;
    // Read on through the pcapng interface blocks before the first packet,
    // so datalink() is known (a sink that refuses stops before a packet).
    const consumed = opened.consumed + parser.parse(bytes, opened.consumed, end, opened.consumed, () => false);
    const session = new OfflineSession(name, (ready) =>
      new FileSource(source, parser, bytes, end, consumed, numSlots, ready), options.signal);
    if (options.filter !== undefined) session.setFilter(options.filter);
    return session;
  } catch (e) {
    source.close();
    throw e;
  }
}
