/**
 * Port names: the one parser for every name `openLive()` takes.
 *
 *   name                 backend    meaning                                   available
 *   IF (eth0, veth-a)    afpacket   a Linux interface (1-15 chars)            yes
 *   any                  afpacket   every interface (Linux cooked capture)    yes
 *   IF-N                 afpacket   RX queue N of IF (see the rule below)     no: use `fanout`
 *   pipe:NAME{N          pipe       master end of shared-memory pipe N        yes
 *   pipe:NAME}N          pipe       slave end of pipe N                       yes
 *   xdp:IF / xdp:IF-Q    xdp        AF_XDP socket on IF, queue Q (default 0)  yes
 *   netmap:IF            netmap     every hardware ring of IF                 yes (needs /dev/netmap)
 *   netmap:IF-N          netmap     hardware ring N only                      yes
 *   netmap:IF^           netmap     the host (kernel stack) rings only        yes
 *   netmap:IF*           netmap     hardware rings and host rings             yes
 *   netmap:NAME{N / }N   netmap     a netmap pipe                             yes
 *   valeX:PORT           vale       port PORT of VALE switch X                yes
 *
 * NAME is 1-32 of A-Z a-z 0-9 _ . -; N is decimal 0-65535, and so is a
 * netmap ring; an xdp: queue Q is 0-255 (the size of the XDP program's
 * socket map, XDP_MAX_QUEUES from C); leading zeros accepted. IF follows
 * Linux's own rule (dev_valid_name): 1-15 characters, none of them '/', ':'
 * or whitespace, and not "." or "..". So a ':' always means a prefix.
 *
 * The `IF-N` rule. Linux interface names may contain '-' (`veth-a`,
 * `br-lan`, even `eth0-1`), so `IF-N` is a queue only when that reading is
 * the only one that names something: `/sys/class/net/IF-N` does not exist
 * and `/sys/class/net/IF` does. Otherwise the whole string is an interface
 * name (and if it does not exist, the open fails with ENODEV naming it).
 * AF_PACKET cannot bind a socket to one hardware queue: a queue name is
 * refused with ENOTSUP pointing at `fanout` (one socket per worker, the
 * kernel spreads packets over them), which is how AF_PACKET does one ring
 * per core. The prefixed backends (`xdp:IF-Q`, `netmap:IF-N`) have no
 * such ambiguity: after their prefix, a trailing `-DIGITS` is the queue.
 *
 * This is the only parser: C receives the fields of PortName (struct
 * nmp_open_args) and parses nothing again, so the grammar and its messages
 * live here alone. C only asserts the limits of its own buffers.
 */
import { existsSync } from 'node:fs';
import { layout } from './binding';
import { PcapError } from './errors';

export type PortBackend = 'afpacket' | 'pipe' | 'xdp' | 'netmap' | 'vale';

/** Backends built into this version (all the prefixes it parses). */
export const AVAILABLE_BACKENDS: readonly PortBackend[] = Object.freeze(['afpacket', 'pipe', 'xdp', 'netmap', 'vale']);

export interface PortName {
  /** The name as given. */
  name: string;
  backend: PortBackend;
  /** Interface (afpacket, xdp, netmap), pipe NAME (pipe, netmap pipes) or
   * the VALE port. */
  device: string;
  /** One RX/TX queue (ring) of the device: `IF-N`, `xdp:IF-Q`, `netmap:IF-N`. */
  queue?: number;
  /** Which end of a pipe: `{` master, `}` slave. */
  end?: 'master' | 'slave';
  /** The pipe index N of a pipe end. */
  pipe?: number;
  /** netmap: which rings (`^` host only, `*` hardware and host). */
  rings?: 'hw' | 'host' | 'all';
  /** vale: the switch name X of `valeX:PORT` (may be empty). */
  switch?: string;
  /** Whether this version can open it (false: opening gives ENOTSUP). */
  available: boolean;
}

export interface ParseOptions {
  /** Does interface `name` exist? Default: /sys/class/net/NAME exists.
   * Only consulted to decide the `IF-N` rule. */
  interfaceExists?: (name: string) => boolean;
}

/** The accepted grammar, quoted by every name error. */
export const PORT_GRAMMAR =
  'a port name is an interface (1 to 15 characters, none of them / : or whitespace, e.g. eth0), ' +
  '"any", pipe:NAME{N (master end) or pipe:NAME}N (slave end) with NAME 1 to 32 of ' +
  `A-Z a-z 0-9 _ . - and N from 0 to 65535, xdp:IF or xdp:IF-Q (AF_XDP on queue Q from 0 to ${layout.XDP_MAX_QUEUES - 1}, default 0), ` +
  'netmap:IF, netmap:IF-N, netmap:IF^, netmap:IF*, netmap:NAME{N, netmap:NAME}N, valeX:PORT';

const PIPE_GRAMMAR =
  'a pipe port is pipe:NAME{N (the master end) or pipe:NAME}N (the slave end), NAME being ' +
  '1 to 32 of A-Z a-z 0-9 _ . - and N a pipe index from 0 to 65535; e.g. pipe:demo{0 and pipe:demo}0';

const IFNAME_MAX = 15;
const INDEX_MAX = 65535;
const PIPE_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const VALE_SWITCH = /^[A-Za-z0-9_]{0,15}$/;
const VALE_PORT = /^[A-Za-z0-9_.-]{1,15}$/;

function defaultExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Why `s` is not a Linux interface name, or null if it is one. */
function ifnameProblem(s: string): string | null {
  if (s.length === 0 || s.length > IFNAME_MAX) {
    return `a Linux interface name has 1 to ${IFNAME_MAX} characters, not ${s.length}`;
  }
  if (s === '.' || s === '..') return `"${s}" is not an interface name`;
  const bad = /[/:\s]/.exec(s);
  if (bad) return `character ${JSON.stringify(bad[0])} is not allowed in an interface name`;
  return null;
}

/** A decimal index 0-max, or an error message. */
function index(s: string, what: string, max = INDEX_MAX): number | string {
  if (s.length === 0) return `the ${what} is missing`;
  if (!/^[0-9]+$/.test(s)) return `the ${what} must be decimal digits`;
  const v = Number(s);
  if (v > max) return `the ${what} is over ${max}`;
  return v;
}

function einval(name: string, why: string, grammar = PORT_GRAMMAR): PcapError {
  return new PcapError(`bad port name ${JSON.stringify(name)}: ${why}; ${grammar}`, 'EINVAL');
}

/** `IF` or `IF-Q` after a prefix (xdp:, netmap:), Q at most `max`. */
function ifWithQueue(name: string, rest: string, prefix: string, max = INDEX_MAX): { device: string; queue?: number } {
  const m = /^(.*)-([0-9]+)$/.exec(rest);
  const device = m ? m[1] : rest;
  const p = ifnameProblem(device);
  if (p) throw einval(name, `after the ${prefix} prefix, ${p}`);
  if (!m) return { device };
  const q = index(m[2], 'queue number', max);
  if (typeof q === 'string') throw einval(name, q);
  return { device, queue: q };
}

/** `NAME{N` / `NAME}N`, or null when `rest` has no brace. */
function pipeEnd(name: string, rest: string, grammar: string):
  { device: string; end: 'master' | 'slave'; pipe: number } | null {
  const at = rest.search(/[{}]/);
  if (at < 0) return null;
  const device = rest.slice(0, at);
  if (!PIPE_NAME.test(device)) {
    const bad = /[^A-Za-z0-9_.-]/.exec(device);
    throw einval(name, device.length === 0 ? 'NAME is missing'
      : bad ? `character ${JSON.stringify(bad[0])} is not allowed in NAME`
        : 'NAME is longer than 32 characters', grammar);
  }
  const n = index(rest.slice(at + 1), 'pipe index N');
  if (typeof n === 'string') throw einval(name, n, grammar);
  return { device, end: rest[at] === '{' ? 'master' : 'slave', pipe: n };
}

/**
 * Parse any port name. Throws PcapError EINVAL (a prefixed name that does
 * not follow its grammar, an unknown prefix) or ENODEV (a plain name that
 * cannot be a Linux interface, as libpcap reports it); the message gives
 * the accepted grammar. Does not check that the port exists or is built:
 * see `available`, and `checkPortName()` for what openLive() enforces.
 */
export function parsePortName(name: string, opts: ParseOptions = {}): PortName {
  if (typeof name !== 'string' || name.length === 0) {
    throw new PcapError(`device must be a non-empty string; ${PORT_GRAMMAR}`, 'EINVAL');
  }
  const colon = name.indexOf(':');
  if (colon < 0) return plainName(name, opts.interfaceExists ?? defaultExists);
  const prefix = name.slice(0, colon + 1);
  const rest = name.slice(colon + 1);
  if (prefix === 'pipe:') {
    const p = pipeEnd(name, rest, PIPE_GRAMMAR);
    if (!p) throw einval(name, rest.length === 0 ? 'NAME is missing' : 'no { or } before the pipe index', PIPE_GRAMMAR);
    return { name, backend: 'pipe', ...p, available: true };
  }
  if (prefix === 'xdp:') {
    return { name, backend: 'xdp', ...ifWithQueue(name, rest, prefix, layout.XDP_MAX_QUEUES - 1), available: true };
  }
  if (prefix === 'netmap:') {
    const p = pipeEnd(name, rest, PORT_GRAMMAR);
    if (p) return { name, backend: 'netmap', ...p, available: true };
    const last = rest.slice(-1);
    if (last === '^' || last === '*') {
      const device = rest.slice(0, -1);
      const problem = ifnameProblem(device);
      if (problem) throw einval(name, `after the netmap: prefix, ${problem}`);
      return { name, backend: 'netmap', device, rings: last === '^' ? 'host' : 'all', available: true };
    }
    return { name, backend: 'netmap', ...ifWithQueue(name, rest, prefix), rings: 'hw', available: true };
  }
  if (name.startsWith('vale')) {
    const sw = name.slice(4, colon);
    if (!VALE_SWITCH.test(sw)) {
      throw einval(name, 'the VALE switch name X in valeX:PORT is 0 to 15 of A-Z a-z 0-9 _');
    }
    if (!VALE_PORT.test(rest)) {
      throw einval(name, 'the VALE port name PORT in valeX:PORT is 1 to 15 of A-Z a-z 0-9 _ . -');
    }
    return { name, backend: 'vale', device: rest, switch: sw, available: true };
  }
  throw einval(name, `unknown prefix ${JSON.stringify(prefix)} (a Linux interface name has no ':')`);
}

function plainName(name: string, exists: (n: string) => boolean): PortName {
  const problem = ifnameProblem(name);
  if (problem) {
    // As libpcap and the C backend report it: no such device can exist.
    throw new PcapError(`bad device name ${JSON.stringify(name)}: ${problem}; list interfaces ` +
      `with findAllDevs() or \`ip link\`; ${PORT_GRAMMAR}`, 'ENODEV');
  }
  const m = /^(.+)-([0-9]+)$/.exec(name);
  if (m && !exists(name) && exists(m[1])) {
    const q = index(m[2], 'queue number');
    if (typeof q === 'number') {
      return { name, backend: 'afpacket', device: m[1], queue: q, available: false };
    }
  }
  return { name, backend: 'afpacket', device: name, available: true };
}

/**
 * Parse `name` and refuse what this version cannot open: the EINVAL /
 * ENODEV of parsePortName(), or ENOTSUP for an AF_PACKET queue (the one
 * name that parses but is not available). openLive() calls this before
 * the native open.
 */
export function checkPortName(name: string, opts: ParseOptions = {}): PortName {
  const p = parsePortName(name, opts);
  if (p.available) return p;
  throw new PcapError(`${JSON.stringify(name)} names RX queue ${p.queue} of ${p.device}, and ` +
    `AF_PACKET cannot bind a socket to one queue: open ${JSON.stringify(p.device)} in each ` +
    `worker with the same \`fanout: { group, mode: 'hash' }\` (one ring per worker, the kernel ` +
    `spreads the flows; see examples/workers.ts), or open xdp:${p.device}-${p.queue} (an AF_XDP ` +
    `socket bound to that queue)`, 'ENOTSUP');
}
