/**
 * IPv4 options as -v prints them inside "(... options (RR 198.18.0.1, 0.0.0.0,))".
 * An option cut by the capture prints what there is and " [truncated-option]",
 * and ends the list; the rest of the IP header line still prints (as tcpdump does).
 */
import { be16, be32, type PrintContext } from './context';
import { ipv4Text } from './text';

const CUT = ' [truncated-option]';

const NAMES: Record<number, string> = { 0: 'EOL', 1: 'NOP', 68: 'timestamp', 130: 'security', 7: 'RR', 137: 'SSRR', 131: 'LSRR',
  148: 'RA', 82: 'traceroute' };

/** Record route and source routes: the addresses, a comma after each one already passed. */
function routeText(b: Uint8Array, c: PrintContext, at: number, length: number): string {
  if (length < 3) return ` [bad length ${length}]`;
  let s = (length + 1) & 3 ? ` [bad length ${length}]` : '';
  if (at + 3 > b.length) return s + CUT;
  const ptr = b[at + 2] - 1;
  if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1) s += ` [bad ptr ${b[at + 2]}]`;
  for (let len = 3; len < length; len += 4) {
    if (at + len + 4 > b.length) return s + CUT;
    s += ` ${ipv4Text(b, at + len)}${ptr > len ? ',' : ''}`;
  }
  return s;
}

function timestampText(b: Uint8Array, c: PrintContext, at: number, length: number): string {
  if (length < 4) return `[bad length ${length}]`;
  let s = ' TS{';
  if (at + 4 > b.length) return s + CUT;
  const flag = b[at + 3] & 0xf;
  const hoplen = flag !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) s += `[bad length ${length}]`;
  const ptr = b[at + 2] - 1;
  let len = 0;
  if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > length + 1) s += `[bad ptr ${b[at + 2]}]`;
  const kinds: Record<number, string> = { 0: 'TSONLY', 1: 'TS+ADDR', 3: 'PRESPEC' };
  if (kinds[flag] === undefined) s += `[bad ts type ${flag}]`;
  else {
    s += kinds[flag];
    let sep = ' ';
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) sep = ' ^ ';
      if (at + len + hoplen > b.length) return s + CUT;
      s += `${sep}${be32(b, at + len + hoplen - 4)}@${hoplen !== 8 ? '' : ipv4Text(b, at + len)}`;
      sep = ' ';
    }
  }
  s += ptr === len ? ' ^ ' : '';
  return s + (b[at + 3] >> 4 ? ` [${b[at + 3] >> 4} hops not recorded]} ` : '}');
}

/** The options in bytes [at, at + length). */
export function ipOptionsText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  let s = '';
  let sep = '';
  while (length > 0) {
    s += sep;
    sep = ',';
    const code = b[at];
    s += NAMES[code] ?? `unknown ${code}`;
    let optLen = 1;
    if (code !== 0 && code !== 1) {
      if (at + 2 > b.length) return s + CUT;
      optLen = b[at + 1];
      if (optLen < 2) return `${s} [bad length ${optLen}]`;
    }
    if (optLen > length) return `${s} [bad length ${optLen}]`;
    if (code === 0) return s;
    if (code === 68) s += timestampText(b, c, at, optLen);
    else if (code === 7 || code === 137 || code === 131) s += routeText(b, c, at, optLen);
    else if (code === 148) {
      if (optLen < 4) s += ` [bad length ${optLen}]`;
      else if (at + 4 > b.length) s += CUT;
      else if (be16(b, at + 2) !== 0) s += ` value ${be16(b, at + 2)}`;
    }
    if (s.endsWith(CUT)) return s;
    at += optLen;
    length -= optLen;
  }
  return s;
}
