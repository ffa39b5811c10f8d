/**
 * nmsend's command line: util.parseArgs for the syntax, then the checks
 * that make a mode's configuration (replay or generate) or a UsageError.
 */
import { parseArgs } from 'node:util';
import { parseMac } from '../../lib/craft/address';
import { CraftProto, minFrameSize } from '../../lib/craft/frame';
import { SEQ_STAMP_LENGTH } from '../../lib/craft/seq-stamp';
import { formatIpRange, parseIntRange, parseIpRange, Range, rangeInSubnet } from './ranges';
import { UsageError } from './usage-error';

/** How frames are spaced in time. */
export type Pacing =
  | { kind: 'topspeed' }
  | { kind: 'pps'; pps: number }
  | { kind: 'mbps'; mbps: number }
  | { kind: 'multiplier'; factor: number };

interface Common {
  iface: string;
  pacing: Pacing;
  /** Stop after this many frames (Infinity: no limit). */
  maxFrames: number;
  /** Stop after this many seconds (Infinity: no limit). */
  maxSeconds: number;
}

export interface ReplayConfig extends Common {
  mode: 'replay';
  files: string[];
  /** Passes over the files; Infinity for --loop 0. */
  loops: number;
}

export interface GenerateConfig extends Common {
  mode: 'generate';
  proto: CraftProto;
  size: Range;
  /** undefined: the interface's own address. */
  srcMac?: Uint8Array;
  dstMac: Uint8Array;
  srcIp: Range;
  dstIp: Range;
  srcPort: Range;
  dstPort: Range;
  seq: boolean;
}

export type Config = ReplayConfig | GenerateConfig | { mode: 'help' } | { mode: 'version' };

/** The only destinations --generate uses without --allow-any-dst (RFC 2544's benchmark range). */
export const SAFE_DST = { prefix: '198.18.0.0', bits: 15 };

const FLAGS = {
  interface: { type: 'string', short: 'i' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  duration: { type: 'string' },
  pps: { type: 'string' },
  mbps: { type: 'string' },
  multiplier: { type: 'string' },
  topspeed: { type: 'boolean' },
  loop: { type: 'string' },
  limit: { type: 'string' },
  generate: { type: 'boolean' },
  count: { type: 'string' },
  rate: { type: 'string' },
  proto: { type: 'string' },
  size: { type: 'string' },
  'src-mac': { type: 'string' },
  'dst-mac': { type: 'string' },
  'src-ip': { type: 'string' },
  'dst-ip': { type: 'string' },
  'allow-any-dst': { type: 'boolean' },
  'src-port': { type: 'string' },
  'dst-port': { type: 'string' },
  seq: { type: 'boolean' },
} as const;

type Values = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean };

const REPLAY_ONLY = ['pps', 'mbps', 'multiplier', 'topspeed', 'loop', 'limit'] as const;
const GENERATE_ONLY = ['count', 'rate', 'proto', 'size', 'src-mac', 'dst-mac', 'src-ip', 'dst-ip',
  'allow-any-dst', 'src-port', 'dst-port', 'seq'] as const;
const PROTOS: readonly CraftProto[] = ['udp', 'tcp-syn', 'icmp'];

/** A positive finite number, or a UsageError naming the flag. */
function positive(v: string, flag: string): number {
  const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!(n > 0 && Number.isFinite(n))) throw new UsageError(`--${flag} takes a positive number, not "${v}"`);
  return n;
}

/** An integer >= min (up to 2^53). */
function integer(v: string, flag: string, min: number): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && Number.isSafeInteger(n))) throw new UsageError(`--${flag} takes an integer >= ${min}, not "${v}"`);
  return n;
}

/** parseArgs' errors, as one short line. */
function syntax(argv: string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true }) as
      { values: Values; positionals: string[] };
  } catch (e) {
    const err = e as { code?: string; message: string };
    const unknown = /Unknown option '([^']+)'/.exec(err.message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message);
    if (missing) throw new UsageError(`${missing[1]} needs a value`);
    const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(err.message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]} needs a value (one starting with "-" is written ${ambiguous[1]}=-X)`);
    throw new UsageError(err.message.split('\n')[0]);
  }
}

function pacing(v: Values, replay: boolean): Pacing {
  const given = (['pps', 'mbps', 'multiplier', 'topspeed'] as const).filter((k) => v[k] !== undefined);
  if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} conflict: give one rate`);
  if (v.pps !== undefined) return { kind: 'pps', pps: positive(v.pps, 'pps') };
  if (v.mbps !== undefined) return { kind: 'mbps', mbps: positive(v.mbps, 'mbps') };
  if (v.multiplier !== undefined) return { kind: 'multiplier', factor: positive(v.multiplier, 'multiplier') };
  if (v.rate !== undefined) return { kind: 'pps', pps: positive(v.rate, 'rate') };
  return replay && !v.topspeed ? { kind: 'multiplier', factor: 1 } : { kind: 'topspeed' };
}

function mac(v: string | undefined, flag: string): Uint8Array | undefined {
  if (v === undefined) return undefined;
  try {
    return parseMac(v);
  } catch (e) {
    throw new UsageError(`--${flag}: ${(e as Error).message}`);
  }
}

function generateConfig(v: Values, common: Common): GenerateConfig {
  const proto = (v.proto ?? 'udp') as CraftProto;
  if (!PROTOS.includes(proto)) throw new UsageError(`--proto takes ${PROTOS.join(', ')}, not "${v.proto}"`);
  const seq = v.seq === true;
  const min = minFrameSize(proto, seq ? SEQ_STAMP_LENGTH : 0);
  const size = parseIntRange(v.size ?? String(Math.max(60, min)), '--size', 1, 65535);
  if (size.first < min) {
    throw new UsageError(`--size: a ${proto} frame${seq ? ' with --seq' : ''} needs at least ${min} bytes, not ${size.first}`);
  }
  const dstIp = parseIpRange(v['dst-ip'] ?? '198.19.0.1', '--dst-ip');
  if (!v['allow-any-dst'] && !rangeInSubnet(dstIp, SAFE_DST.prefix, SAFE_DST.bits)) {
    throw new UsageError(`--dst-ip ${formatIpRange(dstIp)} is outside ${SAFE_DST.prefix}/${SAFE_DST.bits}, ` +
      'the benchmarking range; add --allow-any-dst to send there anyway');
  }
  return {
    ...common,
    mode: 'generate',
    maxFrames: v.count !== undefined ? integer(v.count, 'count', 1) : Infinity,
    proto,
    size,
    srcMac: mac(v['src-mac'], 'src-mac'),
    dstMac: mac(v['dst-mac'], 'dst-mac') ?? parseMac('ff:ff:ff:ff:ff:ff'),
    srcIp: parseIpRange(v['src-ip'] ?? '198.18.0.1', '--src-ip'),
    dstIp,
    srcPort: parseIntRange(v['src-port'] ?? '1234', '--src-port', 0, 65535),
    dstPort: parseIntRange(v['dst-port'] ?? '4321', '--dst-port', 0, 65535),
    seq,
  };
}

/** argv (without node and the script) → what to do, or a UsageError. */
export function parseOptions(argv: string[]): Config {
  const { values: v, positionals } = syntax(argv);
  if (v.help) return { mode: 'help' };
  if (v.version) return { mode: 'version' };
  if (v.interface === undefined) throw new UsageError('-i IF is required: the interface to send on');
  const generate = v.generate === true;
  const wrong = generate ? REPLAY_ONLY.find((k) => v[k] !== undefined) : GENERATE_ONLY.find((k) => v[k] !== undefined);
  if (wrong) {
    throw new UsageError(generate
      ? `--${wrong} is a replay option; with --generate use --count, --rate and --duration`
      : `--${wrong} needs --generate`);
  }
  const common: Common = {
    iface: v.interface,
    pacing: pacing(v, !generate),
    maxFrames: v.limit !== undefined ? integer(v.limit, 'limit', 1) : Infinity,
    maxSeconds: v.duration !== undefined ? positive(v.duration, 'duration') : Infinity,
  };
  if (generate) {
    if (positionals.length) throw new UsageError(`--generate takes no files (got "${positionals[0]}")`);
    return generateConfig(v, common);
  }
  if (positionals.length === 0) throw new UsageError('give the files to replay, or --generate');
  // Each file is opened once to check it and again for every pass: a stream cannot be.
  if (positionals.includes('-')) throw new UsageError('nmsend replays files, not standard input ("-")');
  const loops = v.loop !== undefined ? integer(v.loop, 'loop', 0) : 1;
  return { ...common, mode: 'replay', files: positionals, loops: loops === 0 ? Infinity : loops };
}
