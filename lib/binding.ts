/**
 * The native binding, loaded once: from build/Release when built here,
 * otherwise from prebuilds/ (one Node-API binary serves every Node).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PcapError } from './errors';

/** Struct layout and flag constants, exported by C (never hard-coded). */
export interface NativeLayout {
  sizeof_ring_hdr: number;
  offsetof_ring_head: number;
  offsetof_ring_cur: number;
  offsetof_ring_tail: number;
  offsetof_ring_num_slots: number;
  offsetof_ring_buf_size: number;
  offsetof_ring_flags: number;
  sizeof_slot: number;
  offsetof_slot_offset: number;
  offsetof_slot_caplen: number;
  offsetof_slot_len: number;
  offsetof_slot_ts_sec: number;
  offsetof_slot_ts_nsec: number;
  offsetof_slot_flags: number;
  SLOT_OUTGOING: number;
  RING_RX: number;
  RING_TX: number;
  DIR_INOUT: number;
  DIR_IN: number;
  DIR_OUT: number;
  FANOUT_HASH: number;
  FANOUT_LB: number;
  FANOUT_CPU: number;
  FANOUT_ROLLOVER: number;
  END_NONE: number;
  END_MASTER: number;
  END_SLAVE: number;
  RINGS_HW: number;
  RINGS_HOST: number;
  RINGS_ALL: number;
  /** Queues an xdp: port can name (0 to XDP_MAX_QUEUES - 1): our XSKMAP's size. */
  XDP_MAX_QUEUES: number;
  /** The shortest frame any backend's TX ring takes (an Ethernet header). */
  TX_MIN_LEN: number;
}

/** What open() takes; TypeScript has validated and defaulted every field. */
/** A parsed port name as C takes it (struct nmp_open_args's name fields). */
export interface NativePortName {
  backend: string;
  name: string;
  device: string;
  /** One queue / hardware ring, or -1 for all. */
  queue: number;
  /** 0 none, 1 master, 2 slave (enum nmp_pipe_end). */
  end: number;
  pipe: number;
  /** 0 hardware, 1 host, 2 both (enum nmp_rings). */
  rings: number;
  valeSwitch: string;
}

export interface NativeOpenArgs {
  port: NativePortName;
  snaplen: number;
  promisc: number;
  timeoutMs: number;
  immediate: number;
  bufferSize: number;
  rxSlots: number;
  direction: number;
  fanoutMode: number;
  fanoutGroup: number;
  filter: string | null;
}

export interface NativePortInfo {
  fd: number;
  linktype: number;
  snaplen: number;
  txMaxLen: number;
  backend: string;
  /** How packets reach the rings, where the backend has a choice (AF_XDP). */
  mode?: string;
}

/** Which memory region memory() maps. */
export const enum MemoryRegion {
  RxRing = 0,
  RxBuffers = 1,
  TxRing = 2,
  TxBuffers = 3,
}

export interface NativePort {
  open(args: NativeOpenArgs): void;
  openTx(): number;
  /** mayWait false: the caller syncs again without sleeping (ring walkers). */
  rxsync(mayWait?: boolean): number;
  /** Never blocks; returns the free TX slots (0: the ring is full). */
  txsync(): number;
  /** Wait at most timeoutMs for a free TX slot; returns the free slots (0: still full). */
  txWait(timeoutMs: number): number;
  memory(which: MemoryRegion): ArrayBuffer;
  info(): NativePortInfo;
  stats(): { recv: number; drop: number; ifdrop: number; mode?: string };
  setFilter(expr: string | null, optimize: number, netmask: number): void;
  setDirection(direction: number): void;
  pollStart(callback: (status: number, events: number) => void): void;
  pollStop(): void;
  setRef(on: boolean): void;
  waitReadable(timeoutMs: number): boolean;
  /** What stopped the port (a link gone down, a peer gone), or null. */
  failure(): { code: string; message: string } | null;
  close(): void;
}

export interface NativeDevice {
  name: string;
  description?: string;
  flags: number;
  addresses: { addr: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
}

interface NativeBinding {
  Port: new () => NativePort;
  layout: NativeLayout;
  /** netmap's ABI as the netmap backend defines it: sizeof_*, offsetof_*
   * and constants by netmap's own names (for the ABI layout test). */
  netmapAbi: Record<string, number>;
  setErrorClass(ctor: typeof PcapError): void;
  findAllDevs(): NativeDevice[];
  libVersion(): string;
  /** A compiled filter (opaque). isFile: linktype is a savefile's LINKTYPE_. */
  compileFilter(expr: string, linktype: number, snaplen: number, optimize: number,
                netmask: number, isFile?: boolean): NativeFilter;
  /** Judge the slots in [head, tail) in one call; returns the new tail. */
  filterSlots(ring: ArrayBuffer, buffer: ArrayBuffer, programs: (NativeFilter | undefined)[],
              head: number, tail: number): number;
  /** Savefile records from buffer[start, end), filtered by programs (by
   * interface index), into up to `free` slots from `tail`; params describe
   * the format (lib/savefile/native.ts). out = [stop offset, slots
   * written, records parsed]. */
  walkSavefile(buffer: ArrayBuffer, start: number, end: number, ring: ArrayBuffer, tail: number,
               free: number, params: Uint32Array, programs: readonly (NativeFilter | undefined)[],
               out: Uint32Array): void;
  /** preadv2(RWF_NOWAIT): bytes read (0 at the end), -1 not cached, -2 not possible here. */
  readCached(fd: number, buffer: ArrayBuffer, at: number, max: number, position: number): number;
}

/** A compiled BPF program, freed when collected. */
export type NativeFilter = { readonly __brand: 'NativeFilter' };

function packageRoot(): string {
  // lib/ in the sources, dist/lib/ once compiled.
  const up = join(__dirname, '..');
  return existsSync(join(up, 'binding.gyp')) ? up : join(up, '..');
}

function load(): NativeBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeBinding;
  try {
    return nodeGypBuild(packageRoot());
  } catch (e) {
    throw new PcapError(
      `cannot load the netmap-pcap native binding (${(e as Error).message}); ` +
        'reinstall the package, or build it with `npm run build:native` ' +
        '(needs a C compiler and libpcap-dev)',
      'EIO',
    );
  }
}

export const native: NativeBinding = load();
native.setErrorClass(PcapError);
export const layout: NativeLayout = native.layout;
