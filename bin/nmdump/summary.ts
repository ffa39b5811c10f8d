/**
 * What nmdump says on stderr besides errors: the opening line, the
 * closing summary (tcpdump's wording and plurals), and the live status line.
 */
import { linkTypeName } from '../../index';
import type { Stats } from '../../index';

/** libpcap's descriptions of the link types a capture here can have. */
const DESCRIPTIONS: Record<number, string> = {
  0: 'BSD loopback', 1: 'Ethernet', 101: 'Raw IP', 113: 'Linux cooked v1', 276: 'Linux cooked v2',
  105: '802.11', 127: '802.11 plus radiotap header', 228: 'Raw IPv4', 229: 'Raw IPv6',
};

/** "link-type EN10MB (Ethernet)", or "link-type 147" for a type without a name. */
export function linkTypeText(linktype: number): string {
  const name = linkTypeName(linktype);
  if (name.startsWith('DLT_')) return `link-type ${linktype}`;
  const description = DESCRIPTIONS[linktype];
  return description ? `link-type ${name} (${description})` : `link-type ${name}`;
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * tcpdump's closing lines for a live capture:
 *   N packets captured / N packets received by filter / N packets dropped by kernel
 * and "N packets dropped by interface" when the interface dropped any.
 */
export function summaryLines(captured: number, stats: Stats): string {
  let text = `${plural(captured, 'packet')} captured\n`
    + `${plural(stats.recv, 'packet')} received by filter\n`
    + `${plural(stats.drop, 'packet')} dropped by kernel\n`;
  if (stats.ifdrop !== 0) text += `${plural(stats.ifdrop, 'packet')} dropped by interface\n`;
  return text;
}

/** One status line: packets, packets/s over the last interval, bytes, drops. */
export function statusText(packets: number, rate: number, bytes: number, drops: number): string {
  return `${packets} packets, ${Math.round(rate)} pkts/s, ${bytes} bytes, ${drops} dropped`;
}

/**
 * A status line on a terminal, redrawn in place once a second while
 * packets go to a file; nothing when stderr is not a terminal.
 */
export class StatusLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #timer: NodeJS.Timeout | undefined;
  #lastPackets = 0;
  #lastTime = Date.now();
  #shown = false;

  constructor(stream: NodeJS.WriteStream, read: () => { packets: number; bytes: number; drops: number }) {
    this.#stream = stream;
    if (!stream.isTTY) return;
    this.#timer = setInterval(() => {
      const now = Date.now();
      const { packets, bytes, drops } = read();
      const rate = ((packets - this.#lastPackets) * 1000) / Math.max(1, now - this.#lastTime);
      this.#lastPackets = packets;
      this.#lastTime = now;
      this.#stream.write(`\r\x1b[K${statusText(packets, rate, bytes, drops)}`);
      this.#shown = true;
    }, 1000);
    this.#timer.unref();
  }

  /** Stop redrawing and clear the line, so the summary starts clean. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#shown) this.#stream.write('\r\x1b[K');
  }
}
