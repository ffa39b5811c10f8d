/**
 * nmdump's command line: tcpdump's flags, parsed with util.parseArgs (which
 * handles grouped short flags such as -nn, -ttt, -XX) and checked up front,
 * so that every mistake is one line of error before anything is opened.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** A mistake on the command line: printed as one line plus the usage, exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Everything nmdump was asked to do, with tcpdump's defaults filled in. */
export interface NmdumpOptions {
  /** -h / --help, --version, -D: print and exit without capturing. */
  action: 'capture' | 'help' | 'version' | 'list';
  /** -i: a port name the library accepts (eth0, any, xdp:eth0-1, pipe:x{0 …); the first -i. */
  device?: string;
  /** Every -i, in order (several only with -w FILE --pcapng: one interface block each, as dumpcap). */
  devices: string[];
  /** -r: a savefile path, '-' for stdin. */
  readFile?: string;
  /** -w: a savefile path, '-' for stdout. */
  writeFile?: string;
  /** --pcapng: write pcapng instead of pcap. */
  pcapng: boolean;
  /** --capture-comment: the pcapng file's comment (dumpcap's flag). */
  captureComment?: string;
  /** -c: stop after this many packets (undefined: no limit). */
  count?: number;
  /** -s: bytes kept per packet (0 means 262144, as in tcpdump). */
  snaplen: number;
  /** -B: kernel buffer in KiB. */
  bufferKiB?: number;
  /** -p: do not put the interface in promiscuous mode. */
  noPromisc: boolean;
  /** -Q: direction. */
  direction?: 'in' | 'out' | 'inout';
  /** -n count (numbers are always printed; kept for tcpdump's meaning). */
  numeric: number;
  /** -e: print the link-level header. */
  linkHeader: boolean;
  /** -q: less protocol information. */
  quiet: boolean;
  /** -v count. */
  verbose: number;
  /** -x count (1: hex after the link header, 2: with it). */
  hex: number;
  /** -X count (hex and ASCII). */
  hexAscii: number;
  /** -A count (ASCII). */
  ascii: number;
  /** -t count: 0 clock time, 1 none, 2 epoch, 3 delta, 4 date, 5 since first. */
  timestamps: number;
  /** --time-stamp-precision=nano (or --nano). */
  nano: boolean;
  /** -l: flush stdout after each line. */
  lineBuffered: boolean;
  /** -U: flush the savefile after each packet. */
  packetBuffered: boolean;
  /** --immediate-mode. */
  immediate: boolean;
  /** The filter, from -F FILE or the trailing words. */
  filter?: string;
  /** -C, in bytes (tcpdump: millions of bytes, or k/m/g suffixes of 1024). */
  fileSize?: number;
  /** -W: number of files in the rotation. */
  fileCount?: number;
  /** -G: seconds between rotations. */
  rotateSeconds?: number;
}

const FLAGS = {
  i: { type: 'string', short: 'i', multiple: true },
  interface: { type: 'string', multiple: true },
  D: { type: 'boolean', short: 'D' },
  'list-interfaces': { type: 'boolean' },
  r: { type: 'string', short: 'r' },
  w: { type: 'string', short: 'w' },
  pcapng: { type: 'boolean' },
  'capture-comment': { type: 'string' },
  c: { type: 'string', short: 'c' },
  s: { type: 'string', short: 's' },
  'snapshot-length': { type: 'string' },
  B: { type: 'string', short: 'B' },
  'buffer-size': { type: 'string' },
  p: { type: 'boolean', short: 'p' },
  'no-promiscuous-mode': { type: 'boolean' },
  Q: { type: 'string', short: 'Q' },
  direction: { type: 'string' },
  n: { type: 'boolean', short: 'n', multiple: true },
  e: { type: 'boolean', short: 'e' },
  q: { type: 'boolean', short: 'q' },
  v: { type: 'boolean', short: 'v', multiple: true },
  x: { type: 'boolean', short: 'x', multiple: true },
  X: { type: 'boolean', short: 'X', multiple: true },
  A: { type: 'boolean', short: 'A', multiple: true },
  t: { type: 'boolean', short: 't', multiple: true },
  'time-stamp-precision': { type: 'string' },
  nano: { type: 'boolean' },
  micro: { type: 'boolean' },
  l: { type: 'boolean', short: 'l' },
  U: { type: 'boolean', short: 'U' },
  'packet-buffered': { type: 'boolean' },
  'immediate-mode': { type: 'boolean' },
  F: { type: 'string', short: 'F' },
  C: { type: 'string', short: 'C' },
  W: { type: 'string', short: 'W' },
  G: { type: 'string', short: 'G' },
  h: { type: 'boolean', short: 'h' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

/** A whole number in [min, max], or a UsageError naming the flag. */
function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`invalid ${flag} argument '${text}': expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/** -C: millions of bytes, or a number with a k/m/g suffix (units of 1024), as tcpdump 4.99. */
export function parseFileSize(text: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m || Number(m[1]) < 1) {
    throw new UsageError(`invalid -C file size '${text}': expected a positive number of millions of bytes, or NUMk / NUMm / NUMg`);
  }
  const unit = m[2].toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1_000_000;
  return Number(m[1]) * mult;
}

/** Count of a repeated boolean flag. */
function times(v: boolean[] | undefined): number {
  return v ? v.length : 0;
}

/** Translate parseArgs' own errors into one short line. */
function parseError(e: unknown): UsageError {
  const err = e as { code?: string; message: string };
  const flag = /'(-[^' ,]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${flag ?? ''}`.trim());
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(`option ${flag ?? ''} needs an argument`.replace('  ', ' '));
  }
  return new UsageError(err.message.split('\n')[0]);
}

/**
 * Parse nmdump's arguments (without node and the script). Throws UsageError
 * on any mistake; reads the -F file, if any.
 */
export function parseOptions(argv: string[]): NmdumpOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (e) {
    throw parseError(e);
  }
  const v = parsed.values;
  const words = parsed.positionals;

  const action = v.h || v.help ? 'help' : v.version ? 'version' : v.D || v['list-interfaces'] ? 'list' : 'capture';
  const devices = [...(v.i ?? []), ...(v.interface ?? [])];
  const device = devices[0];
  const readFile = v.r;
  if (device !== undefined && readFile !== undefined) throw new UsageError('-i and -r conflict: capture live or read a file, not both');
  if (devices.includes('')) throw new UsageError('-i needs an interface name');
  if (new Set(devices).size !== devices.length) throw new UsageError('the same -i twice: name each port once');
  if (readFile === '') throw new UsageError('-r needs a file name (- for stdin)');
  if (v.w === '') throw new UsageError('-w needs a file name (- for stdout)');

  const precision = v['time-stamp-precision'];
  if (precision !== undefined && precision !== 'micro' && precision !== 'nano') {
    throw new UsageError(`invalid --time-stamp-precision '${precision}': expected micro or nano`);
  }
  if (v.nano && v.micro) throw new UsageError('--nano and --micro conflict');

  const qText = v.Q ?? v.direction;
  if (qText !== undefined && qText !== 'in' && qText !== 'out' && qText !== 'inout') {
    throw new UsageError(`invalid -Q direction '${qText}': expected in, out or inout`);
  }
  const timestamps = times(v.t);
  if (timestamps > 5) throw new UsageError('too many -t flags: -t, -tt, -ttt, -tttt and -ttttt are the timestamp formats');

  const snapText = v.s ?? v['snapshot-length'];
  const snap = snapText === undefined ? 0 : integer('-s', snapText, 0, 262144);
  const bText = v.B ?? v['buffer-size'];

  let filter: string | undefined = words.length > 0 ? words.join(' ') : undefined;
  if (v.F !== undefined) {
    if (filter !== undefined) throw new UsageError('-F and a filter expression on the command line conflict: use one of them');
    try {
      // tcpdump drops '#' comments from -F files.
      filter = readFileSync(v.F, 'utf8').split('\n').map((l) => l.replace(/#.*/, '')).join(' ').trim();
    } catch (e) {
      throw new UsageError(`cannot read filter file ${v.F}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  const opts: NmdumpOptions = {
    action,
    device,
    devices,
    readFile,
    writeFile: v.w,
    pcapng: v.pcapng === true,
    captureComment: v['capture-comment'],
    count: v.c === undefined ? undefined : integer('-c', v.c, 1, Number.MAX_SAFE_INTEGER),
    snaplen: snap === 0 ? 262144 : snap,
    bufferKiB: bText === undefined ? undefined : integer('-B', bText, 1, 4 * 1024 * 1024),
    noPromisc: v.p === true || v['no-promiscuous-mode'] === true,
    direction: qText as NmdumpOptions['direction'],
    numeric: times(v.n),
    linkHeader: v.e === true,
    quiet: v.q === true,
    verbose: times(v.v),
    hex: times(v.x),
    hexAscii: times(v.X),
    ascii: times(v.A),
    timestamps,
    nano: precision === 'nano' || v.nano === true,
    lineBuffered: v.l === true,
    packetBuffered: v.U === true || v['packet-buffered'] === true,
    immediate: v['immediate-mode'] === true,
    filter,
    fileSize: v.C === undefined ? undefined : parseFileSize(v.C),
    fileCount: v.W === undefined ? undefined : integer('-W', v.W, 1, 1_000_000),
    rotateSeconds: v.G === undefined ? undefined : integer('-G', v.G, 1, 1_000_000_000),
  };
  checkCombinations(opts);
  return opts;
}

/** Flags that only mean something together with others. */
function checkCombinations(o: NmdumpOptions): void {
  if (o.action !== 'capture') return;
  const rotating = o.fileSize !== undefined || o.rotateSeconds !== undefined || o.fileCount !== undefined;
  if (rotating && o.writeFile === undefined) throw new UsageError('-C, -W and -G need -w FILE');
  if (rotating && o.writeFile === '-') throw new UsageError('-C, -W and -G cannot rotate standard output (-w -)');
  if (o.fileCount !== undefined && o.fileSize === undefined && o.rotateSeconds === undefined) {
    throw new UsageError('-W needs -C or -G');
  }
  if (o.pcapng && o.writeFile === undefined) throw new UsageError('--pcapng needs -w FILE');
  if (o.devices.length > 1 && !o.pcapng) {
    throw new UsageError('several -i need -w FILE --pcapng: a pcapng file keeps one interface block per port');
  }
  if (o.captureComment !== undefined && !o.pcapng) throw new UsageError('--capture-comment needs -w FILE --pcapng');
  if (o.packetBuffered && o.writeFile === undefined) throw new UsageError('-U needs -w FILE');
  if (o.readFile !== undefined) {
    const liveOnly = [['-B', o.bufferKiB !== undefined], ['-p', o.noPromisc], ['-Q', o.direction !== undefined],
      ['--immediate-mode', o.immediate]] as const;
    const bad = liveOnly.find(([, set]) => set);
    if (bad) throw new UsageError(`${bad[0]} applies to live capture (-i), not to -r`);
  }
}
