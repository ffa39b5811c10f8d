/**
 * The link layer: Ethernet and its VLAN tags, Linux cooked headers. Without
 * -e tcpdump prints nothing of them; with -e the addresses, EtherType and
 * frame length, then each tag.
 */
import type { EthernetLayer, Layer, NullLayer, SllLayer, Sll2Layer, VlanLayer } from '../../../index';
import { AF_NAMES, ETHERTYPE_NAMES, hex4 } from './names';

/** "ethertype IPv4 (0x0800)" / "ethertype Unknown (0x88b5)". */
export function etherTypeText(type: number): string {
  return `ethertype ${ETHERTYPE_NAMES[type] ?? 'Unknown'} (${hex4(type)})`;
}

/** -q's form: "IPv4" / "Unknown Ethertype (0x88b5)". */
export function quietEtherType(type: number): string {
  return ETHERTYPE_NAMES[type] ?? `Unknown Ethertype (${hex4(type)})`;
}

/** -e: "src > dst, ethertype IPv4 (0x0800), length 98: " (802.3 frames: "802.3, length N: "). */
export function ethernetText(e: EthernetLayer, wireLength: number): string {
  // An 802.3 frame's length is its length field (the bytes after it, padding left out).
  if (e.type <= 1500) return `${e.src} > ${e.dst}, 802.3, length ${e.type}: `;
  return `${e.src} > ${e.dst}, ${etherTypeText(e.type)}, length ${wireLength}: `;
}

/** -e, each tag: "vlan 100, p 0, ethertype IPv4 (0x0800), ". */
export function vlanText(v: VlanLayer): string {
  return `vlan ${v.vid}, p ${v.pcp}${v.dei ? ', DEI' : ''}, ${v.type <= 1500 ? '802.3' : etherTypeText(v.type)}, `;
}

const SLL_DIRECTION = ['In', 'B', 'M', 'P', 'Out'];

/** -e on the `any` device: " In 02:00:00:00:00:01 ethertype IPv4 (0x0800), length 84: " (direction in 3 columns). */
export function cookedText(c: SllLayer | Sll2Layer, wireLength: number): string {
  const dir = (SLL_DIRECTION[c.packetType] ?? '?').padStart(3);
  const addr = c.halen === 6 ? `${c.address} ` : '';
  return `${dir} ${addr}${etherTypeText(c.protocol)}, length ${wireLength}: `;
}

/** true for the layers a -x dump leaves out. */
export function isLinkLayer(l: Layer): boolean {
  return l.kind === 'ethernet' || l.kind === 'vlan' || l.kind === 'sll' || l.kind === 'sll2' || l.kind === 'null';
}

/** -e on BSD loopback: "AF IPv4 (2), length 72: ". */
export function nullText(n: NullLayer, wireLength: number): string {
  return `AF ${AF_NAMES[n.family] ?? 'Unknown'} (${n.family}), length ${wireLength}: `;
}
