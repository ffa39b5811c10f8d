/**
 * The protocol part of a line: decodePacket's layers walked from the link
 * layer in, each printed as tcpdump prints it. A packet no printer knows
 * gets tcpdump's generic form (the link header and a hex dump of what
 * follows), and no input can make it throw.
 */
import { decodeFrom, decodePacket, linkTypeName } from '../../../index';
import type { Layer, StartProtocol } from '../../../index';
import type { NmdumpOptions } from '../options';
import { arpText } from './arp';
import { takeEndedEarly, Truncated, type PrintContext } from './context';
import { hexAsciiDump } from './hexdump';
import { ipv4Text, ipv6Text } from './ip';
import { cookedText, ethernetText, etherTypeText, isLinkLayer, nullText, quietEtherType, vlanText } from './link';
import { TcpSeqTracker } from './tcp-seq';
import { etherPayloadText } from './ethertypes';

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
    case 'ethernet': return ethernetText(l, c.wireLength - l.offset);
    case 'vlan': return vlanText(l);
    case 'sll': case 'sll2': return cookedText(l, c.wireLength);
    case 'null': return nullText(l, c.wireLength);
    default: return '';
  }
}

/** The network layer and everything above it, from layer `i`. */
function networkText(c: PrintContext, i: number, linkLength: number): string {
  const l = c.layers[i];
  // IP or ARP announced but cut before its header: tcpdump's marker.
  if (l === undefined && i > 0) {
    const outer = c.layers[i - 1];
    const type = outer?.kind === 'ethernet' || outer?.kind === 'vlan' ? outer.type : outer?.kind === 'sll' || outer?.kind === 'sll2' ? outer.protocol : 0;
    if (type === 0x0800) return cutMarker(c, 'ipv4');
    if (type === 0x86dd) return cutMarker(c, 'ipv6');
    if (type === 0x0806) return cutMarker(c, 'arp');
  }
  switch (l?.kind) {
    case 'ipv4': return ipv4Text(c, i);
    case 'ipv6': return ipv6Text(c, i);
    case 'arp': return arpText(c, l);
    default: return etherPayloadText(c, i, linkLength);
  }
}

/** Link layers (printed with -e), then the network layer. */
function layersText(c: PrintContext): { text: string; linkLength: number } {
  let i = 0;
  let text = '';
  while (i < c.layers.length && isLinkLayer(c.layers[i])) {
    if (c.o.linkHeader) text += linkText(c, c.layers[i]);
    i++;
  }
  // Raw IP has no link header; -e says so as tcpdump does.
  if (i === 0 && c.o.linkHeader && c.layers[0]?.offset === 0) text += 'ip: ';
  const last = c.layers[i - 1];
  const linkLength = c.layers[i]?.offset ?? (last ? last.offset + last.length : c.bytes.length);
  const out = networkText(c, i, linkLength);
  // tcpdump's dump (-x) also leaves out the 802.2 LLC and SNAP headers it printed.
  let dumpFrom = linkLength;
  for (let k = i; c.layers[k]?.kind === 'llc' || c.layers[k]?.kind === 'snap'; k++) dumpFrom = c.layers[k].offset + c.layers[k].length;
  return { text: text + out, linkLength: dumpFrom };
}

/** What tcpdump prints for a header cut before its printer could start. */
function cutMarker(c: PrintContext, start: StartProtocol): string {
  switch (start) {
    case 'ipv4': return `${c.o.linkHeader ? '' : 'IP '} [|ip]`;
    case 'ipv6': return ' [|ip6]';
    case 'ethernet': return ' [|ether]';
    case 'arp': return `${c.o.linkHeader ? '' : 'ARP, '} [|arp]`;
    default: return ` [|${start}]`;
  }
}

/** A context for the packet inside this one. */
function innerContext(c: PrintContext, start: StartProtocol, offset: number, end: number): PrintContext {
  const decoded = decodeFrom(start, c.bytes, offset, Math.min(end, c.bytes.length));
  return { ...c, layers: decoded.layers };
}

/** Describe one packet (`bytes` are its captured bytes, `len` its length on the wire). */
export function describePacket(bytes: Uint8Array, len: number, linktype: number, o: NmdumpOptions,
                               state: PrintState): Description {
  const decoded = decodePacket(bytes, linktype);
  const c: PrintContext = {
    o, bytes, wireLength: len, layers: decoded.layers, tcpSeq: state.tcpSeq,
    inner(start, offset, end = bytes.length) {
      const ic = innerContext(this, start, offset, end);
      if (ic.layers[0]?.kind === undefined || ic.layers[0].kind === 'payload') return cutMarker(this, start);
      return layersText(ic).text;
    },
  };
  const kind = c.layers[0]?.kind;
  if (kind === undefined || kind === 'payload') {
    // A link type no decoder knows.
    const name = linkTypeName(linktype);
    return { text: `${name.startsWith('DLT_') ? `link-type ${linktype}` : name}, length ${len}`, linkLength: 0 };
  }
  takeEndedEarly();
  let text: string;
  let linkLength = c.layers.find((l) => !isLinkLayer(l))?.offset ?? bytes.length;
  try {
    ({ text, linkLength } = layersText(c));
  } catch (e) {
    // A printer bug must not end the capture: say so on the line.
    text = e instanceof Truncated ? ` ${e.message}` : `[nmdump: cannot print this packet: ${(e as Error).message}]`;
  }
  // A packet that ended early is dumped from its first byte, as tcpdump does.
  if (takeEndedEarly()) linkLength = 0;
  // Cut by the snapshot length inside a link or ARP header: tcpdump's "[|proto]" (the
  // network printers mark their own cuts).
  const cutIn = decoded.error?.split(/[ :]/)[0];
  if (bytes.length < len && decoded.error?.endsWith('captured') && !text.includes('[|') && (cutIn === 'arp' || cutIn === 'ethernet' || cutIn === 'vlan')) {
    text += ` [|${cutIn}]`;
  }
  return { text, linkLength };
}
