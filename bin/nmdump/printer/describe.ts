/**
 * The protocol part of a line: decodePacket's layers walked from the link
 * layer in, each printed as tcpdump prints it. A packet no printer knows
 * gets tcpdump's generic form (the link header and a hex dump of what
 * follows), and no input can make it throw.
 */
import { decodePacket, linkTypeName } from '../../../index';
import type { Layer } from '../../../index';
import type { NmdumpOptions } from '../options';
import { arpText } from './arp';
import type { PrintContext } from './context';
import { hexAsciiDump } from './hexdump';
import { ipv4Text, ipv6Text } from './ip';
import { cookedText, ethernetText, etherTypeText, isLinkLayer, nullText, quietEtherType, vlanText } from './link';
import { TcpSeqTracker } from './tcp-seq';

export interface Description {
  /** The text after the timestamp. */
  text: string;
  /** Bytes of link-layer header (what -x leaves out and -xx keeps). */
  linkLength: number;
}

/** State a printer keeps from packet to packet. */
export class PrintState {
  readonly tcpSeq = new TcpSeqTracker();
}

function linkText(c: PrintContext, l: Layer): string {
  switch (l.kind) {
    case 'ethernet': return ethernetText(l, c.wireLength);
    case 'vlan': return vlanText(l);
    case 'sll': case 'sll2': return cookedText(l, c.wireLength);
    case 'null': return nullText(l, c.wireLength);
    default: return '';
  }
}

/** The network layer and everything above it, from layer `i`. */
function networkText(c: PrintContext, i: number, linkLength: number): string {
  const l = c.layers[i];
  switch (l?.kind) {
    case 'ipv4': return ipv4Text(c, i);
    case 'ipv6': return ipv6Text(c, i);
    case 'arp': return arpText(c, l);
    default: return unknownText(c, i, linkLength);
  }
}

/** tcpdump's generic form: the Ethernet header (even without -e) and the rest as hex and ASCII. */
function unknownText(c: PrintContext, i: number, linkLength: number): string {
  const outer = c.layers[i - 1];
  const eth = c.layers[0]?.kind === 'ethernet' ? c.layers[0] : undefined;
  // A -x or -X dump replaces tcpdump's own dump of the unknown bytes (-A does not); -q drops it.
  const dumped = c.o.hex || c.o.hexAscii || c.o.quiet;
  const rest = dumped ? '' : hexAsciiDump(c.bytes.subarray(linkLength));
  if (eth && !c.o.linkHeader) {
    const type = outer?.kind === 'vlan' ? outer.type : eth.type;
    const typeText = type <= 1500 ? '802.3' : c.o.quiet ? quietEtherType(type) : etherTypeText(type);
    return `${eth.src} > ${eth.dst}, ${typeText}, length ${c.wireLength}: ${rest}`;
  }
  return rest;
}

/** Describe one packet (`bytes` are its captured bytes, `len` its length on the wire). */
export function describePacket(bytes: Uint8Array, len: number, linktype: number, o: NmdumpOptions,
                               state: PrintState): Description {
  const decoded = decodePacket(bytes, linktype);
  const c: PrintContext = { o, bytes, wireLength: len, layers: decoded.layers, tcpSeq: state.tcpSeq };
  let i = 0;
  let text = '';
  while (i < c.layers.length && isLinkLayer(c.layers[i])) {
    if (o.linkHeader) text += linkText(c, c.layers[i]);
    i++;
  }
  if (i === 0 && !['ipv4', 'ipv6'].includes(c.layers[0]?.kind ?? '')) {
    // A link type no decoder knows.
    const name = linkTypeName(linktype);
    return { text: `${name.startsWith('DLT_') ? `link-type ${linktype}` : name}, length ${len}`, linkLength: 0 };
  }
  // Raw IP has no link header; -e says so as tcpdump does.
  if (i === 0 && o.linkHeader) text += 'ip: ';
  const linkLength = c.layers[i]?.offset ?? bytes.length;
  try {
    text += networkText(c, i, linkLength);
  } catch (e) {
    // A printer bug must not end the capture: say so on the line.
    text += `[nmdump: cannot print this packet: ${(e as Error).message}]`;
  }
  // Cut by the snapshot length inside a header we print: tcpdump's "[|proto]".
  if (bytes.length < len && decoded.error?.endsWith('captured') && !text.includes('[|')) {
    text += ` [|${decoded.error.split(/[ :]/)[0]}]`;
  }
  return { text, linkLength };
}
