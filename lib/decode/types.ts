/** The decoder's result types: one discriminated union of layers. */
import type { ArpLayer } from './arp';
import type { DnsLayer } from './dns';
import type { EthernetLayer, VlanLayer } from './ethernet';
import type { IcmpLayer } from './icmp';
import type { Icmpv6Layer } from './icmpv6';
import type { Ieee80211Layer } from './ieee80211';
import type { IgmpLayer } from './igmp';
import type { Ipv4Layer } from './ipv4';
import type { Ipv6Layer } from './ipv6';
import type { LlcLayer, SnapLayer } from './llc';
import type { Sll2Layer, SllLayer } from './linux-sll';
import type { NullLayer } from './null';
import type { RadiotapLayer } from './radiotap';
import type { TcpLayer } from './tcp';
import type { UdpLayer } from './udp';

/** Bytes no decoder claimed: application data, an encrypted or unknown protocol, a later fragment. */
export interface PayloadLayer {
  readonly kind: 'payload';
  readonly offset: number;
  /** Bytes up to the end of the enclosing protocol (padding after it excluded), as captured. */
  readonly length: number;
}

/** One decoded header; `kind` says which. `offset` and `length` locate its bytes in the packet. */
export type Layer =
  | EthernetLayer | VlanLayer | ArpLayer | LlcLayer | SnapLayer
  | SllLayer | Sll2Layer | NullLayer | RadiotapLayer | Ieee80211Layer
  | Ipv4Layer | Ipv6Layer | TcpLayer | UdpLayer | IcmpLayer | Icmpv6Layer | IgmpLayer | DnsLayer
  | PayloadLayer;

export type LayerKind = Layer['kind'];

/** The layer of one kind, e.g. `LayerOf<'tcp'>` is TcpLayer. */
export type LayerOf<K extends LayerKind> = Extract<Layer, { kind: K }>;

/** What {@link decodePacket} returns. */
export interface DecodedPacket {
  /** The link type the packet was decoded as. */
  readonly linktype: number;
  /** Outermost first. */
  readonly layers: Layer[];
  /**
   * true if the captured bytes end before the packet's own length fields
   * say they should (a snaplen cut, or a length that lies).
   */
  readonly truncated: boolean;
  /** Why decoding stopped early, naming the layer and the offset (undefined: it did not). */
  readonly error?: string;
}
