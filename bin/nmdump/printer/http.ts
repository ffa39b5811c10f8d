/**
 * HTTP on TCP ports 80 and 8080, as tcpdump's text-protocol printer shows
 * it: ": HTTP: GET / HTTP/1.1" (the first line, if it is a request or a
 * response), and with -v every line of the segment.
 */
import { catchTrunc, need, Truncated, type PrintContext } from './context';

const METHODS = new Set(['GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE',
  'LABEL', 'MERGE', 'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT', 'OPTIONS', 'CHECKIN',
  'PROPFIND', 'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND', 'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY',
  'MKWORKSPACE', 'UNSUBSCRIBE', 'RPC_CONNECT', 'VERSION-CONTROL', 'BASELINE-CONTROL']);

const printable = (c: number): boolean => c >= 0x20 && c < 0x7f;

/** The token at `idx` and where the next one starts, or 0 (tcpdump's fetch_token). */
function token(b: Uint8Array, at: number, idx: number, len: number): { text: string; next: number } {
  let text = '';
  for (; idx < len; idx++) {
    if (at + idx >= b.length) return { text: '', next: 0 };
    const c = b[at + idx];
    if (c & 0x80) return { text: '', next: 0 };
    if (c === 0x20 || c === 9 || c === 13 || c === 10) break;
    if (!printable(c) || text.length + 2 > 64) return { text: '', next: 0 };
    text += String.fromCharCode(c);
  }
  if (text === '') return { text, next: 0 };
  for (; idx < len && at + idx < b.length; idx++) {
    const c = b[at + idx];
    if (c === 13 || c === 10 || !printable(c) || (c !== 0x20 && c !== 9)) break;
  }
  return { text, next: idx };
}

/** One line from `idx`: [text, index after its end, or 0 if it does not end (cut or not text)]. */
function line(c: PrintContext, at: number, idx: number, len: number): { text: string; next: number; cut: boolean } {
  const b = c.bytes;
  const start = idx;
  const text = (end: number): string => String.fromCharCode(...b.subarray(at + start, at + end));
  while (idx < len) {
    // Past the capture: tcpdump's read ends the packet, the line unprinted.
    if (at + idx >= b.length) throw new Truncated('http');
    const ch = b[at + idx];
    if (ch === 10) return { text: text(idx), next: idx + 1, cut: false };
    if (ch === 13) {
      if (idx + 1 >= len) return { text: '', next: 0, cut: false };
      need(c, at + idx + 1, 1, 'http');
      if (b[at + idx + 1] === 10) return { text: text(idx), next: idx + 2, cut: false };
      return { text: '', next: 0, cut: false };
    }
    if (!printable(ch) && ch !== 9) return { text: '', next: 0, cut: false };
    idx++;
  }
  return { text: text(idx), next: 0, cut: true };
}

/** What follows ", length N" for a segment to or from an HTTP port. */
export function httpText(c: PrintContext, at: number, len: number): string {
  const b = c.bytes;
  let s = ': HTTP';
  const first = token(b, at, 0, len);
  let known = first.next !== 0 && METHODS.has(first.text.toUpperCase());
  if (first.next !== 0) {
    const second = token(b, at, first.next, len);
    if (second.next !== 0 && /^\d{3}$/.test(second.text)) known = true;
  }
  if (!known) return s;
  const lineText = (l: { text: string; cut: boolean }, prefix: string): string => `${prefix}${l.text}${l.cut ? ' [|http]' : ''}`;
  return catchTrunc((out) => {
    if (c.o.verbose > 0) {
      out.s += `, length: ${len}`;
      for (let idx = 0; idx < len;) {
        const l = line(c, at, idx, len);
        if (l.next === 0) {
          if (l.cut) out.s += lineText(l, '\n\t');
          break;
        }
        out.s += `\n\t${l.text}`;
        idx = l.next;
      }
      return;
    }
    const l = line(c, at, 0, len);
    if (l.next !== 0 || l.cut) out.s += lineText(l, ': ');
  }, s);
}
