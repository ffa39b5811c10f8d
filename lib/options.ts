/**
 * Options of openLive(), their defaults, and their validation.
 */
import { layout, NativeOpenArgs } from './binding';
import { check, PcapError } from './errors';

export type Direction = 'in' | 'out' | 'inout';
export type FanoutMode = 'hash' | 'lb' | 'cpu' | 'rollover';

export interface FanoutOptions {
  /** Group id shared by every socket that splits the traffic (0-65535). */
  group: number;
  /** How packets are spread over the group's members. Default 'hash'
   * (by flow, so each flow stays on one member). */
  mode?: FanoutMode;
}

export interface LiveOptions {
  /** Bytes kept of each packet. Default 262144 (all of it). */
  snaplen?: number;
  /** Put the interface in promiscuous mode while open. Default true. */
  promisc?: boolean;
  /** Milliseconds a partly filled batch may wait before delivery; the
   * kernel's block-retire timeout. Default 100. */
  timeout?: number;
  /** Bytes of kernel receive buffer (the ring). Default 8 MiB. */
  bufferSize?: number;
  /** Deliver packets as they arrive (timeout of 1 ms). Default false. */
  immediate?: boolean;
  /** Which packets to capture by direction. Default 'inout'. */
  direction?: Direction;
  /** A libpcap filter, attached before the first packet arrives. */
  filter?: string;
  /** Join an AF_PACKET fanout group: one ring per worker, no locks. */
  fanout?: FanoutOptions;
  /** Slots in the RX ring JS sees (the largest batch). Default 4096. */
  ringSlots?: number;
  /** Close the session when this signal aborts. */
  signal?: AbortSignal;
}

export const DEFAULTS = Object.freeze({
  snaplen: 262144,
  promisc: true,
  timeout: 100,
  bufferSize: 8 * 1024 * 1024,
  immediate: false,
  direction: 'inout' as Direction,
  ringSlots: 4096,
});

const KNOWN = ['snaplen', 'promisc', 'timeout', 'bufferSize', 'immediate',
  'direction', 'filter', 'fanout', 'ringSlots', 'signal'];

const DIRECTIONS: Record<Direction, number> = {
  inout: layout.DIR_INOUT, in: layout.DIR_IN, out: layout.DIR_OUT,
};

const FANOUT_MODES: Record<FanoutMode, number> = {
  hash: layout.FANOUT_HASH, lb: layout.FANOUT_LB,
  cpu: layout.FANOUT_CPU, rollover: layout.FANOUT_ROLLOVER,
};

/** The known option a misspelled one most likely meant, if any. */
function suggest(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/[_-]/g, '');
  return KNOWN.find((k) => k.toLowerCase() === lower) ??
    ({ snaplength: 'snaplen', snaplen: 'snaplen', promiscuous: 'promisc',
      buffersize: 'bufferSize', buffer: 'bufferSize', timeoutms: 'timeout',
      buffertimeout: 'timeout', slots: 'ringSlots' } as Record<string, string>)[lower];
}

function int(v: unknown, name: string, min: number, max: number): number {
  check(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
    `option "${name}" must be an integer from ${min} to ${max}, not ${String(v)}`);
  return v as number;
}

export function directionCode(dir: unknown): number {
  const code = DIRECTIONS[dir as Direction];
  check(code !== undefined, `direction must be 'in', 'out' or 'inout', not ${String(dir)}`);
  return code;
}

/** Validate options and fill in defaults: what the native open() takes
 * besides the parsed port name. */
export function resolveLiveOptions(options: LiveOptions = {}): Omit<NativeOpenArgs, 'port'> {
  check(typeof options === 'object' && options !== null, 'options must be an object');
  for (const key of Object.keys(options)) {
    if (KNOWN.includes(key)) continue;
    const s = suggest(key);
    throw new PcapError(s ? `Misspelled option "${key}" should be "${s}"`
      : `unknown option "${key}"; known options: ${KNOWN.join(', ')}`, 'EINVAL');
  }
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  check(typeof o.promisc === 'boolean', 'option "promisc" must be a boolean');
  check(typeof o.immediate === 'boolean', 'option "immediate" must be a boolean');
  check(o.filter === undefined || typeof o.filter === 'string', 'option "filter" must be a string');
  let fanoutMode = -1;
  let fanoutGroup = 0;
  if (o.fanout !== undefined) {
    check(typeof o.fanout === 'object' && o.fanout !== null, 'option "fanout" must be { group, mode }');
    fanoutGroup = int(o.fanout.group, 'fanout.group', 0, 0xffff);
    const mode = FANOUT_MODES[o.fanout.mode ?? 'hash'];
    check(mode !== undefined, `fanout.mode must be one of ${Object.keys(FANOUT_MODES).join(', ')}`);
    fanoutMode = mode;
  }
  return {
    snaplen: int(o.snaplen, 'snaplen', 1, 262144),
    promisc: o.promisc ? 1 : 0,
    timeoutMs: int(o.timeout, 'timeout', 0, 60_000),
    immediate: o.immediate ? 1 : 0,
    // Slot offsets are 32-bit: keep the ring well under 4 GiB.
    bufferSize: int(o.bufferSize, 'bufferSize', 256 * 1024, 2 ** 31),
    rxSlots: int(o.ringSlots, 'ringSlots', 2, 1 << 20),
    direction: directionCode(o.direction),
    fanoutMode,
    fanoutGroup,
    filter: o.filter ?? null,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
