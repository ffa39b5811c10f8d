/**
 * decodePacket: the one entry point. Picks the first decoder from the link
 * type and runs decoders until one says nothing follows.
 */
import { PcapError } from '../errors';
import { decodeArp } from './arp';
import { decodeDnsTcp, decodeDnsUdp } from './dns';
import { decodeEthernet, decodeVlan } from './ethernet';
import { decodeIcmp } from './icmp';
import { decodeIcmpv6 } from './icmpv6';
import { decodeIeee80211 } from './ieee80211';
import { decodeIgmp } from './igmp';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeLlc, decodeSnap } from './llc';
import { decodeSll, decodeSll2 } from './linux-sll';
import { decodeLoop, decodeNull, decodeRawIp } from './null';
import { decodeRadiotap } from './radiotap';
import { DecodeState, fail, P, type Proto } from './state';
import { decodeTcp } from './tcp';
import type { DecodedPacket, Layer, PayloadLayer } from './types';
import { decodeUdp } from './udp';

type Decoder = (s: DecodeState) => void;

const DECODERS: Decoder[] = [];
DECODERS[P.ETHERNET] = decodeEthernet;
DECODERS[P.VLAN] = decodeVlan;
DECODERS[P.ARP] = decodeArp;
DECODERS[P.LLC] = decodeLlc;
DECODERS[P.SNAP] = decodeSnap;
DECODERS[P.IPV4] = decodeIpv4;
DECODERS[P.IPV6] = decodeIpv6;
DECODERS[P.TCP] = decodeTcp;
DECODERS[P.UDP] = decodeUdp;
DECODERS[P.ICMP] = decodeIcmp;
DECODERS[P.ICMPV6] = decodeIcmpv6;
DECODERS[P.IGMP] = decodeIgmp;
DECODERS[P.DNS] = decodeDnsUdp;
DECODERS[P.DNS_TCP] = decodeDnsTcp;
DECODERS[P.SLL] = decodeSll;
DECODERS[P.SLL2] = decodeSll2;
DECODERS[P.NULL] = decodeNull;
DECODERS[P.LOOP] = decodeLoop;
DECODERS[P.RAW_IP] = decodeRawIp;
DECODERS[P.RADIOTAP] = decodeRadiotap;
DECODERS[P.IEEE80211] = decodeIeee80211;

/** The link types decodePacket understands (LINKTYPE_* numbers, plus the DLT_RAW aliases 12 and 14). */
const BY_LINKTYPE: Record<number, Proto> = {
  0: P.NULL, // DLT_NULL
  1: P.ETHERNET, // DLT_EN10MB
  12: P.RAW_IP, // DLT_RAW on most BSDs
  14: P.RAW_IP, // DLT_RAW on OpenBSD
  101: P.RAW_IP, // LINKTYPE_RAW
  105: P.IEEE80211, // LINKTYPE_IEEE802_11
  108: P.LOOP, // LINKTYPE_LOOP
  113: P.SLL, // LINKTYPE_LINUX_SLL
  127: P.RADIOTAP, // LINKTYPE_IEEE802_11_RADIOTAP
  228: P.IPV4, // LINKTYPE_IPV4
  229: P.IPV6, // LINKTYPE_IPV6
  276: P.SLL2, // LINKTYPE_LINUX_SLL2
};

/** The link types {@link decodePacket} decodes; others give one payload layer. */
export const DECODED_LINKTYPES: readonly number[] = Object.freeze(Object.keys(BY_LINKTYPE).map(Number));

/** Where {@link decodeFrom} can start. */
export const START = Object.freeze({
  ethernet: P.ETHERNET, vlan: P.VLAN, arp: P.ARP, llc: P.LLC, snap: P.SNAP, ipv4: P.IPV4, ipv6: P.IPV6,
  ip: P.RAW_IP, tcp: P.TCP, udp: P.UDP, icmp: P.ICMP, icmpv6: P.ICMPV6, igmp: P.IGMP, dns: P.DNS,
  dnsTcp: P.DNS_TCP, sll: P.SLL, sll2: P.SLL2, null: P.NULL, loop: P.LOOP, radiotap: P.RADIOTAP, ieee80211: P.IEEE80211,
});
export type StartProtocol = keyof typeof START;

/** Layers per packet, at most (VLAN tags and IP-in-IP could otherwise nest without end). */
const MAX_LAYERS = 32;

/**
 * Decode a packet's headers, outermost first. Never throws on packet
 * content: a header cut short or malformed ends decoding with `error` set
 * (and `truncated` if the capture cut it). Layers are plain values that
 * keep no reference to `data`, so they stay valid after a ring slot is reused.
 *
 * @param data the captured bytes
 * @param linktype the LINKTYPE_* / DLT_* number (`session.linktype`, LinkType.*)
 * @throws PcapError EINVAL if `data` is not a Uint8Array or `linktype` not an integer
 */
export function decodePacket(data: Uint8Array, linktype: number): DecodedPacket {
  if (!(data instanceof Uint8Array)) throw new PcapError('decodePacket: data must be a Buffer or Uint8Array', 'EINVAL');
  if (!Number.isInteger(linktype)) throw new PcapError(`decodePacket: linktype must be an integer (LinkType.*), got ${String(linktype)}`, 'EINVAL');
  const s = new DecodeState(data, 0, data.length);
  s.next = BY_LINKTYPE[linktype] ?? P.PAYLOAD;
  run(s);
  return { linktype, layers: s.layers, truncated: s.truncated, error: s.error };
}

/**
 * Decode from a given protocol on, over `data[offset..end)`: e.g. the IPv4
 * packet an ICMP error quotes, or a header taken out of a tunnel.
 * `linktype` in the result is -1.
 */
export function decodeFrom(protocol: StartProtocol, data: Uint8Array, offset = 0, end = data.length): DecodedPacket {
  if (!(data instanceof Uint8Array)) throw new PcapError('decodeFrom: data must be a Buffer or Uint8Array', 'EINVAL');
  if (!Object.hasOwn(START, protocol)) {
    throw new PcapError(`decodeFrom: unknown protocol ${JSON.stringify(protocol)}; use one of ${Object.keys(START).join(', ')}`, 'EINVAL');
  }
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > data.length || offset > end) {
    throw new PcapError(`decodeFrom: need 0 <= offset <= end <= ${data.length}, got offset ${offset}, end ${end}`, 'EINVAL');
  }
  const s = new DecodeState(data, offset, end);
  s.next = START[protocol];
  run(s);
  return { linktype: -1, layers: s.layers, truncated: s.truncated, error: s.error };
}

function run(s: DecodeState): void {
  // Bounded by steps, not layers: a decoder that added no layer cannot loop either.
  for (let steps = 0; s.next > P.PAYLOAD; steps++) {
    if (steps >= MAX_LAYERS) return fail(s, `more than ${MAX_LAYERS} layers`);
    DECODERS[s.next](s);
  }
  if (s.next === P.PAYLOAD && s.off < s.end) {
    const payload: PayloadLayer = { kind: 'payload', offset: s.off, length: s.end - s.off };
    s.layers.push(payload);
  }
}

/** The first layer of a kind, or undefined: `findLayer(pkt, 'tcp')?.dstPort`. */
export function findLayer<K extends Layer['kind']>(pkt: DecodedPacket, kind: K): Extract<Layer, { kind: K }> | undefined {
  for (const l of pkt.layers) if (l.kind === kind) return l as Extract<Layer, { kind: K }>;
  return undefined;
}
