/**
 * flowHash: one symmetric hash of a packet's flow, so that N workers can
 * share a capture and each flow — both directions, every fragment — lands
 * on one worker (issue 14; netmap's `lb` does this for N pipes).
 *
 * - Symmetric: the two endpoints (address, then port) are put in a fixed
 *   order before hashing, so A→B and B→A hash alike. Sorting rather than
 *   XOR-ing keeps A→A flows and equal ports from cancelling out.
 * - Stable: no per-process or per-boot seed (the kernel's fanout hash has
 *   one), so every run, host and backend agrees; a capture replayed later
 *   splits the same way.
 * - Fragments: an IP fragment has no ports (only the first one carries the
 *   transport header), so fragments hash on VLAN, protocol and the address
 *   pair — every fragment of a datagram to the same worker. With
 *   `ports: false` every packet hashes that way, so fragmented datagrams
 *   also follow their flow's unfragmented packets.
 * - Allocation-free: it reads the frame in place, nothing is decoded.
 *
 * The hash is FNV-1a over the canonical tuple bytes followed by a 32-bit
 * avalanche finaliser, which spreads the low-entropy tuples of one subnet
 * over the whole 32-bit range (FNV alone clusters them).
 */
import { PcapError } from '../errors';
import { LinkType } from '../linktype';

export interface FlowHashOptions {
  /**
   * Hash TCP, UDP, SCTP, DCCP and UDP-Lite ports too (default true). false:
   * VLAN, protocol and addresses only — coarser, but fragments then always
   * go with the rest of their flow.
   */
  ports?: boolean;
  /**
   * Hash the ports a first fragment (offset 0, more to come) carries, as
   * if it were whole (default false). FanOut uses it to send the rest of a
   * datagram after its first fragment, to its flow's worker.
   */
  firstFragmentPorts?: boolean;
}

/** An IP fragment's datagram (`fragmentOf`). */
export interface FragmentInfo {
  /** VLAN, version, protocol, addresses and identification: equal for every fragment of one datagram. */
  key: string;
  /** Offset 0: the fragment that carries the transport header. */
  first: boolean;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Protocols whose first 4 transport bytes are source and destination ports. */
const PORTED = new Uint8Array(256);
for (const p of [6, 17, 33, 132, 136]) PORTED[p] = 1;

/** IPv6 extension headers walked over to find the transport protocol. */
const EXT_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_AH = 51;
const EXT_DSTOPTS = 60;

/** FNV-1a over `n` bytes of `d` from `at`. */
function fnv(h: number, d: Uint8Array, at: number, n: number): number {
  for (let i = 0; i < n; i++) h = Math.imul(h ^ d[at + i], FNV_PRIME);
  return h;
}

const fnvByte = (h: number, b: number): number => Math.imul(h ^ (b & 0xff), FNV_PRIME);

/** Murmur3's finaliser: every input bit affects every output bit. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** -1, 0, 1: bytes [a, a+n) against [b, b+n) of `d`, then port pa against pb. */
function order(d: Uint8Array, a: number, b: number, n: number, pa: number, pb: number): number {
  for (let i = 0; i < n; i++) {
    const x = d[a + i] - d[b + i];
    if (x !== 0) return x;
  }
  return pa - pb;
}

/** Hash an address pair (length n at a and b), ports pa/pb (or 0), in canonical order. */
function hashPair(h: number, d: Uint8Array, a: number, b: number, n: number, pa: number, pb: number): number {
  if (order(d, a, b, n, pa, pb) > 0) {
    const t = a; a = b; b = t;
    const u = pa; pa = pb; pb = u;
  }
  h = fnv(h, d, a, n);
  h = fnv(h, d, b, n);
  h = fnvByte(fnvByte(h, pa >>> 8), pa);
  return fnvByte(fnvByte(h, pb >>> 8), pb);
}

const u16 = (d: Uint8Array, o: number): number => (d[o] << 8) | d[o + 1];

/** Ports at `l4` if the packet has them (not a fragment, bytes present), else -1. */
function ports(d: Uint8Array, l4: number, end: number): number {
  return l4 + 4 <= end ? ((u16(d, l4) << 16) | u16(d, l4 + 2)) >>> 0 : -1;
}

/** Set by flowHash for the call: hash a first fragment's ports. */
let firstFragmentPorts = false;

function hashIpv4(d: Uint8Array, o: number, vlan: number, withPorts: boolean, eth: boolean): number {
  const end = d.length;
  if (o + 20 > end) return hashRaw(d, eth);
  const ihl = (d[o] & 0x0f) * 4;
  const proto = d[o + 9];
  const ff = u16(d, o + 6);
  const fragment = (ff & 0x3fff) !== 0 && !(firstFragmentPorts && (ff & 0x1fff) === 0); // MF or an offset
  let h = fnvByte(fnvByte(fnvByte(FNV_OFFSET, 4), vlan >>> 8), vlan);
  h = fnvByte(h, proto);
  let pp = -1;
  if (withPorts && !fragment && PORTED[proto] === 1 && ihl >= 20) pp = ports(d, o + ihl, end);
  return avalanche(hashPair(h, d, o + 12, o + 16, 4, pp < 0 ? 0 : pp >>> 16, pp < 0 ? 0 : pp & 0xffff));
}

function hashIpv6(d: Uint8Array, o: number, vlan: number, withPorts: boolean, eth: boolean): number {
  const end = d.length;
  if (o + 40 > end) return hashRaw(d, eth);
  let next = d[o + 6];
  let at = o + 40;
  let fragment = false;
  // Walk the extension headers to the transport protocol (a fragment
  // header names it too, so non-first fragments still know it).
  for (let hops = 0; hops < 8; hops++) {
    if (next === EXT_HOP || next === EXT_ROUTING || next === EXT_DSTOPTS) {
      if (at + 2 > end) break;
      next = d[at];
      at += (d[at + 1] + 1) * 8;
    } else if (next === EXT_AH) {
      if (at + 2 > end) break;
      next = d[at];
      at += (d[at + 1] + 2) * 4;
    } else if (next === EXT_FRAGMENT) {
      if (at + 8 > end) break;
      next = d[at];
      // An atomic fragment (offset 0, no M flag, RFC 6946) is a whole datagram.
      const fo = u16(d, at + 2);
      if ((fo & 0xfff9) !== 0 && !(firstFragmentPorts && (fo & 0xfff8) === 0)) fragment = true;
      at += 8;
    } else {
      break;
    }
  }
  let h = fnvByte(fnvByte(fnvByte(FNV_OFFSET, 6), vlan >>> 8), vlan);
  h = fnvByte(h, next);
  let pp = -1;
  if (withPorts && !fragment && PORTED[next] === 1) pp = ports(d, at, end);
  return avalanche(hashPair(h, d, o + 8, o + 24, 16, pp < 0 ? 0 : pp >>> 16, pp < 0 ? 0 : pp & 0xffff));
}

/** Not IP (or cut short): the Ethernet address pair if there is one, in canonical order; else 0. */
function hashRaw(d: Uint8Array, eth: boolean): number {
  if (eth && d.length >= 12) return avalanche(hashPair(FNV_OFFSET, d, 0, 6, 6, 0, 0));
  return 0;
}

/** Hash from a layer-3 offset given the ethertype (or IP version nibble). */
function hashL3(d: Uint8Array, o: number, ethertype: number, vlan: number, withPorts: boolean, eth = false): number {
  if (ethertype === 0x0800) return hashIpv4(d, o, vlan, withPorts, eth);
  if (ethertype === 0x86dd) return hashIpv6(d, o, vlan, withPorts, eth);
  return hashRaw(d, eth);
}

function versionType(d: Uint8Array, o: number): number {
  if (o >= d.length) return 0;
  const v = d[o] >>> 4;
  return v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0;
}

/**
 * The symmetric flow hash of one frame, an unsigned 32-bit number. Frames
 * of one flow in either direction hash alike, and so do all fragments of
 * one IP datagram. Never throws on frame content: what it cannot parse
 * hashes on its Ethernet address pair, or to 0.
 *
 * @param data the frame as captured (a leased view is fine: nothing is kept)
 * @param linktype the session's `datalink()`; default Ethernet. Ethernet
 *   (VLAN and QinQ tags: the innermost id is hashed), raw IP, Linux SLL and
 *   SLL2, BSD loopback (NULL / LOOP) are understood.
 */
export function flowHash(data: Uint8Array, linktype: number = LinkType.ETHERNET, options?: FlowHashOptions): number {
  const withPorts = options?.ports !== false;
  firstFragmentPorts = options?.firstFragmentPorts === true;
  const d = data;
  switch (linktype) {
    case LinkType.ETHERNET: {
      if (d.length < 14) return 0;
      let o = 12;
      let type = u16(d, o);
      let vlan = 0;
      for (let tags = 0; (type === 0x8100 || type === 0x88a8 || type === 0x9100) && tags < 4; tags++) {
        if (o + 6 > d.length) return hashRaw(d, true);
        vlan = u16(d, o + 2) & 0x0fff;
        o += 4;
        type = u16(d, o);
      }
      return hashL3(d, o + 2, type, vlan, withPorts, true);
    }
    case LinkType.RAW: case 12: case 14:
      return hashL3(d, 0, versionType(d, 0), 0, withPorts);
    case LinkType.LINUX_SLL:
      return d.length < 16 ? 0 : hashL3(d, 16, u16(d, 14), 0, withPorts);
    case LinkType.LINUX_SLL2:
      return d.length < 20 ? 0 : hashL3(d, 20, u16(d, 0), 0, withPorts);
    case LinkType.NULL: case 108: // the address family, in either byte order: versionType settles it
      return hashL3(d, 4, versionType(d, 4), 0, withPorts);
    default:
      return 0;
  }
}

/** Where a frame's IP header starts, its ethertype and VLAN id, or null (not IP as far as it can tell). */
function l3Of(d: Uint8Array, linktype: number): { o: number; type: number; vlan: number } | null {
  switch (linktype) {
    case LinkType.ETHERNET: {
      if (d.length < 14) return null;
      let o = 12;
      let type = u16(d, o);
      let vlan = 0;
      for (let tags = 0; (type === 0x8100 || type === 0x88a8 || type === 0x9100) && tags < 4; tags++) {
        if (o + 6 > d.length) return null;
        vlan = u16(d, o + 2) & 0x0fff;
        o += 4;
        type = u16(d, o);
      }
      return { o: o + 2, type, vlan };
    }
    case LinkType.RAW: case 12: case 14: return { o: 0, type: versionType(d, 0), vlan: 0 };
    case LinkType.LINUX_SLL: return d.length < 16 ? null : { o: 16, type: u16(d, 14), vlan: 0 };
    case LinkType.LINUX_SLL2: return d.length < 20 ? null : { o: 20, type: u16(d, 0), vlan: 0 };
    case LinkType.NULL: case 108: return { o: 4, type: versionType(d, 4), vlan: 0 };
    default: return null;
  }
}

const hex = (d: Uint8Array, at: number, n: number): string => Buffer.from(d.buffer, d.byteOffset + at, n).toString('hex');

/**
 * The datagram an IPv4 or IPv6 fragment belongs to, or null for anything
 * that is not a fragment (an atomic IPv6 fragment is whole). Allocates a
 * key: meant for the few packets that are fragments.
 */
export function fragmentOf(data: Uint8Array, linktype: number = LinkType.ETHERNET): FragmentInfo | null {
  const l = l3Of(data, linktype);
  if (l === null) return null;
  const { o, type, vlan } = l;
  const d = data;
  if (type === 0x0800) {
    if (o + 20 > d.length) return null;
    const ff = u16(d, o + 6);
    if ((ff & 0x3fff) === 0) return null;
    return { key: `4|${vlan}|${d[o + 9]}|${hex(d, o + 12, 8)}|${u16(d, o + 4)}`, first: (ff & 0x1fff) === 0 };
  }
  if (type !== 0x86dd || o + 40 > d.length) return null;
  let next = d[o + 6];
  let at = o + 40;
  for (let hops = 0; hops < 8 && at + 8 <= d.length; hops++) {
    if (next === EXT_FRAGMENT) {
      const fo = u16(d, at + 2);
      if ((fo & 0xfff9) === 0) return null;
      const id = ((d[at + 4] << 24) | (d[at + 5] << 16) | (d[at + 6] << 8) | d[at + 7]) >>> 0;
      return { key: `6|${vlan}|${d[at]}|${hex(d, o + 8, 32)}|${id}`, first: (fo & 0xfff8) === 0 };
    }
    if (next === EXT_HOP || next === EXT_ROUTING || next === EXT_DSTOPTS) { next = d[at]; at += (d[at + 1] + 1) * 8; } else if (next === EXT_AH) { next = d[at]; at += (d[at + 1] + 2) * 4; } else return null;
  }
  return null;
}

/**
 * Which of `n` workers a hash goes to: the hash scaled onto [0, n) (its
 * high bits, as the kernel's reciprocal_scale does) rather than `% n`, so
 * the split stays even for any n.
 */
export function flowWorker(hash: number, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new PcapError(`flowWorker: n must be an integer >= 1, got ${String(n)}`, 'EINVAL');
  return Math.floor(((hash >>> 0) * n) / 4294967296);
}
