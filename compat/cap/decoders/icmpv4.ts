/**
 * cap's `decoders.ICMPV4(buf, nbytes[, offset])`: the fields of each ICMP
 * message type, in cap's shapes. `nbytes` is accepted for cap's signature
 * and, as in cap, not used.
 *
 * Fixed from cap 0.2.1:
 * - an echo request (8) got no `identifier` / `seqno` (cap decoded them for
 *   echo replies only);
 * - a router advertisement's `addrs` held `nAddrs` empty slots before the
 *   entries (made with `new Array(n)`, then pushed to): here, the entries;
 * - a traceroute message (30) read the 16-bit return hop count as 32 bits,
 *   which shifted the link speed and MTU by two bytes (RFC 1393).
 */
import { IPV4, IPv4Info } from './ipv4';
import { dotted, i32, markTruncated, startOf, u16, u32, u8 } from './read';

/** The quoted IPv4 header of an error message. */
export interface QuotedIPv4 {
  info: IPv4Info;
  hdrlen: number;
}

export interface ICMPv4Info {
  type: number | undefined;
  code: number | undefined;
  checksum: number | undefined;
  /** Echo (0, 8), information (15, 16), domain name request (37),
   * timestamp (13, 14), address mask (17, 18), traceroute (30). */
  identifier?: number;
  seqno?: number;
  /** Destination unreachable, fragmentation needed (3/4). */
  nextHopMTU?: number;
  /** Redirect (5): the gateway to use. */
  gatewayAddr?: string;
  /** Parameter problem (12), conversion error (31), security failure (40). */
  pointer?: number;
  /** Error messages (3, 4, 5, 11, 12, 31, 40): the offending datagram's header. */
  IPHeader?: QuotedIPv4;
  /** Error messages: where the offending datagram's payload starts. */
  dataOffset?: number;
  /** Router advertisement (9). */
  lifetime?: number;
  addrs?: { addr: string; pref: number | undefined }[];
  originate?: number;
  receive?: number;
  transmit?: number;
  /** Address mask reply (18) and request (17). */
  mask?: string;
  outHopCount?: number;
  retHopCount?: number;
  outLnkSpeed?: number;
  outLnkMTU?: number;
}

export interface ICMPv4Result {
  info: ICMPv4Info;
  /** After the message's fields (and, for errors, the quoted 8 or 256 bytes). */
  offset: number;
  truncated?: boolean;
}

/** The message after the type/code/checksum: its fields and its end. */
type Body = { fields: Partial<ICMPv4Info>; end: number; need: number; truncated?: boolean };

/** An error message: `fields` first, then the quoted IPv4 header at `at`. */
function quoting(b: Uint8Array, fields: Partial<ICMPv4Info>, at: number, quotedData: number): Body {
  const ip = IPV4(b, at);
  return {
    fields: { ...fields, IPHeader: { info: ip.info, hdrlen: ip.hdrlen }, dataOffset: ip.offset },
    end: ip.offset + quotedData,
    need: at + 20,
    truncated: ip.truncated,
  };
}

function body(b: Uint8Array, type: number | undefined, code: number | undefined, o: number): Body {
  switch (type) {
    case 0: case 8: case 15: case 16: case 37: // echo, information, domain name request
      return { fields: { identifier: u16(b, o), seqno: u16(b, o + 2) }, end: o + 4, need: o + 4 };
    case 3:
      if (code === 4) return quoting(b, { nextHopMTU: u16(b, o + 2) }, o + 4, 8);
      return quoting(b, {}, o + 4, 8);
    case 4: case 11: // source quench, time exceeded
      return quoting(b, {}, o + 4, 8);
    case 5: // redirect
      return quoting(b, { gatewayAddr: dotted(b, o) }, o + 4, 8);
    case 12: // parameter problem: 8-bit pointer
      return quoting(b, { pointer: u8(b, o) }, o + 4, 8);
    case 31: // conversion error: 32-bit pointer, 256 quoted bytes
      return quoting(b, { pointer: u32(b, o) }, o + 4, 256);
    case 40: // security failure (Photuris): 16-bit pointer after 2 reserved
      return quoting(b, { pointer: u16(b, o + 2) }, o + 4, 8);
    case 9: return routerAdvertisement(b, o);
    case 13:
      return { fields: { identifier: u16(b, o), seqno: u16(b, o + 2), originate: u32(b, o + 4) },
        end: o + 8, need: o + 8 };
    case 14:
      return { fields: { identifier: u16(b, o), seqno: u16(b, o + 2), originate: u32(b, o + 4),
        receive: u32(b, o + 8), transmit: u32(b, o + 12) }, end: o + 16, need: o + 16 };
    case 17: case 18: // address mask request / reply
      return { fields: { identifier: u16(b, o), seqno: u16(b, o + 2), mask: dotted(b, o + 4) },
        end: o + 8, need: o + 8 };
    case 30: // traceroute (RFC 1393)
      return { fields: { identifier: u16(b, o), outHopCount: u16(b, o + 4), retHopCount: u16(b, o + 6),
        outLnkSpeed: u32(b, o + 8), outLnkMTU: u32(b, o + 12) }, end: o + 16, need: o + 16 };
    default: // the 4 "rest of header" bytes, undecoded
      return { fields: {}, end: o + 4, need: o + 4 };
  }
}

function routerAdvertisement(b: Uint8Array, o: number): Body {
  const nAddrs = u8(b, o) ?? 0;
  const entrySize = u8(b, o + 1);
  const fields: Partial<ICMPv4Info> = { lifetime: u16(b, o + 2), addrs: undefined };
  let end = o + 4;
  // Entry size is in 32-bit words: 2 (address, preference) for IPv4.
  if (nAddrs > 0 && entrySize === 2) {
    fields.addrs = [];
    for (let i = 0; i < nAddrs; i++, end += 8) fields.addrs.push({ addr: dotted(b, end), pref: i32(b, end + 4) });
  }
  return { fields, end, need: end };
}

/** Decode the ICMP message at `offset` (default 0); `nbytes` is unused, as in cap. */
export function ICMPV4(b: Buffer | Uint8Array, nbytes?: number, offset?: number): ICMPv4Result {
  void nbytes; // cap's signature; cap does not use it either
  const o = startOf(b, offset);
  const type = u8(b, o);
  const code = u8(b, o + 1);
  const { fields, end, need, truncated } = body(b, type, code, o + 4);
  const ret: ICMPv4Result = { info: { type, code, checksum: u16(b, o + 2), ...fields }, offset: end };
  if (truncated) ret.truncated = true;
  return markTruncated(ret, b, need);
}
