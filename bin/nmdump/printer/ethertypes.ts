/**
 * What follows a link header when it is not IP or ARP: 802.2 LLC (STP,
 * SNAP with CDP or an EtherType), MPLS, LLDP, and tcpdump's generic form
 * for the rest (the Ethernet header even without -e, then hex and ASCII).
 */
import type { LlcLayer, SnapLayer } from '../../../index';
import { cdpText } from './cdp';
import { be32, catchTrunc, need, type PrintContext } from './context';
import { hexAsciiDump } from './hexdump';
import { etherTypeText, quietEtherType } from './link';
import { lldpText } from './lldp';
import { stpText } from './stp';

/** The type field (EtherType or 802.3 length) the layer before `i` announced. */
function typeBefore(c: PrintContext, i: number): number | undefined {
  const outer = c.layers[i - 1];
  if (outer?.kind === 'ethernet' || outer?.kind === 'vlan') return outer.type;
  if (outer?.kind === 'sll' || outer?.kind === 'sll2') return outer.protocol;
  return undefined;
}

/** tcpdump's default print of bytes it does not decode (left out when -x, -X or -q dumps instead). */
export function defaultPrint(c: PrintContext, from: number, to = c.bytes.length): string {
  return c.o.hex || c.o.hexAscii || c.o.quiet ? '' : hexAsciiDump(c.bytes.subarray(from, to));
}

/** tcpdump's generic form: the Ethernet header (even without -e) and the rest as hex and ASCII. */
export function unknownText(c: PrintContext, i: number, linkLength: number): string {
  const outer = c.layers[i - 1];
  const eth = c.layers[0]?.kind === 'ethernet' ? c.layers[0] : undefined;
  const rest = defaultPrint(c, linkLength);
  if (eth && !c.o.linkHeader) {
    const type = outer?.kind === 'vlan' ? outer.type : eth.type;
    const typeText = type <= 1500 ? '802.3' : c.o.quiet ? quietEtherType(type) : etherTypeText(type);
    return `${eth.src} > ${eth.dst}, ${typeText}, length ${c.wireLength - eth.offset}: ${rest}`;
  }
  return rest;
}

const SAPS: Record<number, string> = { 0x42: 'STP', 0xaa: 'SNAP', 0xe0: 'IPX', 0xf0: 'NetBeui', 0xfe: 'OSI', 0x06: 'IP', 0x00: 'Null' };
const OUIS: Record<number, string> = { 0: 'Ethernet', 0x0c: 'Cisco', 0xf8: 'Cisco bridged', 0x80c2: 'IEEE 802.1 Bridged' };

/** -e: "LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: ". */
function llcHeaderText(l: LlcLayer): string {
  const h2 = (n: number): string => n.toString(16).padStart(2, '0');
  const dsap = l.dsap & 0xfe;
  const ssap = l.ssap & 0xfe;
  const ctrl = l.length === 3 ? `0x${h2(l.control)}` : `0x${l.control.toString(16).padStart(4, '0')}`;
  return `LLC, dsap ${SAPS[dsap] ?? 'Unknown'} (0x${h2(dsap)}) ${l.dsap & 1 ? 'Group' : 'Individual'}, `
    + `ssap ${SAPS[ssap] ?? 'Unknown'} (0x${h2(ssap)}) ${l.ssap & 1 ? 'Response' : 'Command'}, ctrl ${ctrl}: `;
}

/** An 802.2 frame: STP, SNAP (CDP, or an EtherType that decodes on), else the generic form. */
function llcText(c: PrintContext, i: number, l: LlcLayer, frameLength: number, linkLength: number): string {
  const head = c.o.linkHeader ? llcHeaderText(l) : '';
  const after = l.offset + l.length;
  const length = frameLength - l.length;
  if (l.dsap === 0x42 && l.ssap === 0x42 && l.control === 3) return head + stpText(c, after, length);
  const snap = c.layers[i + 1];
  if (snap?.kind === 'snap') return head + snapText(c, i + 1, snap, length - 5);
  if (c.o.linkHeader) return head + defaultPrint(c, after);
  return unknownText(c, i, linkLength);
}

function snapText(c: PrintContext, i: number, s: SnapLayer, length: number): string {
  const ouiName = OUIS[s.oui] ?? 'Unknown';
  const head = c.o.linkHeader ? `oui ${ouiName} (0x${s.oui.toString(16).padStart(6, '0')}), ` : '';
  const at = s.offset + s.length;
  if (s.oui === 0x0c && s.type === 0x2000) {
    return (c.o.linkHeader ? `${head}pid CDP (0x2000), length ${length}: ` : '') + cdpText(c, at, length);
  }
  const typeText = c.o.linkHeader ? `${head}${etherTypeText(s.type).replace(/ \(/, ' (')}, length ${length}: ` : '';
  const next = c.layers[i + 1];
  if (next && next.kind !== 'payload') return typeText + innerNetwork(c, i + 1);
  return typeText + defaultPrint(c, at);
}

/** Print from layer `i` on with the usual network printers (the SNAP case). */
function innerNetwork(c: PrintContext, i: number): string {
  const l = c.layers[i];
  if (l.kind === 'ipv4') return c.inner('ipv4', l.offset);
  if (l.kind === 'ipv6') return c.inner('ipv6', l.offset);
  if (l.kind === 'arp') return c.inner('arp', l.offset);
  return defaultPrint(c, l.offset);
}

const MPLS_NAMES = ['IPv4 explicit NULL', 'router alert', 'IPv6 explicit NULL', 'implicit NULL'];

/** MPLS label stack entries, then IPv4 or IPv6 as the label or the first nibble says. */
export function mplsText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  const v = c.o.verbose > 0;
  return catchTrunc((out) => {
    let depth = 0;
    let entry = 0;
    do {
      if (length < 4) { out.s += ' (invalid)'; return; }
      need(c, at, 4, 'mpls');
      entry = be32(b, at);
      const label = entry >>> 12;
      out.s += `${depth && v ? '\n\t' : ' '}(label ${label}`;
      if (v && label < 16) out.s += ` (${MPLS_NAMES[label] ?? 'rsvd'})`;
      out.s += `, tc ${(entry >>> 9) & 7}${entry & 0x100 ? ', [S]' : ''}, ttl ${entry & 0xff})`;
      depth++;
      at += 4;
      length -= 4;
    } while (!(entry & 0x100));
    const label = entry >>> 12;
    let family: 'ipv4' | 'ipv6' | undefined;
    if (label === 0 || label === 3) family = 'ipv4';
    else if (label === 2) family = 'ipv6';
    else {
      if (length < 1) return;
      need(c, at, 1, 'mpls');
      const first = b[at];
      family = first >= 0x45 && first <= 0x4f ? 'ipv4' : first >= 0x60 && first <= 0x6f ? 'ipv6' : undefined;
    }
    if (!family) { out.s += defaultPrint(c, at); return; }
    out.s += (v ? '\n\t' : ' ') + c.inner(family, at, at + length);
  }, 'MPLS');
}

/** The layer at `i` after a link header that is not IP or ARP. */
export function etherPayloadText(c: PrintContext, i: number, linkLength: number): string {
  const l = c.layers[i];
  const type = typeBefore(c, i);
  if (l?.kind === 'llc' && type !== undefined) return llcText(c, i, l, type, linkLength);
  const at = l?.offset ?? linkLength;
  const length = c.wireLength - at;
  switch (type) {
    case 0x8847: case 0x8848: return mplsText(c, at, length);
    case 0x88cc: return lldpText(c, at, length);
    default: return unknownText(c, i, linkLength);
  }
}
