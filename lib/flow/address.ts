/** IP address text to bytes, for exporters that put addresses on the wire. */
import { isIPv4, isIPv6 } from 'node:net';
import { PcapError } from '../errors';

/** "a.b.c.d" to 4 bytes at `out[at]`. */
export function writeIpv4Text(text: string, out: Uint8Array, at: number): void {
  if (!isIPv4(text)) throw new PcapError(`not an IPv4 address: ${JSON.stringify(text)}`, 'EINVAL');
  const parts = text.split('.');
  for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
}

/** IPv6 text (RFC 4291 forms, "::" and an embedded IPv4 tail included) to 16 bytes at `out[at]`. */
export function writeIpv6Text(text: string, out: Uint8Array, at: number): void {
  if (!isIPv6(text)) throw new PcapError(`not an IPv6 address: ${JSON.stringify(text)}`, 'EINVAL');
  let s = text;
  const groups: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let tail: number[] = [];
  if (v4) {
    const b = v4[1].split('.').map(Number);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    s = s.slice(0, -v4[1].length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').map((g) => parseInt(g, 16)) : [];
  const r = rest ? rest.split(':').map((g) => parseInt(g, 16)) : [];
  const fill = 8 - h.length - r.length - tail.length;
  groups.push(...h, ...new Array<number>(rest === undefined ? 0 : fill).fill(0), ...r, ...tail);
  for (let i = 0; i < 8; i++) { out[at + 2 * i] = groups[i] >>> 8; out[at + 2 * i + 1] = groups[i] & 255; }
}
