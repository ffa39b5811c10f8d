/** Bytes as tcpdump prints text from a packet, and its hex dumps of data it does not decode. */

/** One byte as text: printable ASCII as is, others as "M-x" (high bit) and "^X" (control), as tcpdump escapes them. */
export function charText(b: number): string {
  let s = '';
  if (b & 0x80) {
    s = 'M-';
    b &= 0x7f;
  }
  return b < 0x20 || b === 0x7f ? `${s}^${String.fromCharCode(b ^ 0x40)}` : s + String.fromCharCode(b);
}

/** `len` bytes from `at` as text, up to the first NUL if `stopAtNul`. */
export function bytesText(b: Uint8Array, at: number, len: number, stopAtNul = true): string {
  let s = '';
  for (let i = at; i < at + len && i < b.length; i++) {
    if (stopAtNul && b[i] === 0) break;
    s += charText(b[i]);
  }
  return s;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** tcpdump's dump of bytes no printer decodes: `indent`, "0x0000:  0102 0304", 16 bytes a line. */
export function unknownData(b: Uint8Array, at: number, len: number, indent: string): string {
  let out = '';
  for (let off = 0; off < len; off += 16) {
    let line = `${indent}0x${off.toString(16).padStart(4, '0')}: `;
    for (let i = off; i < Math.min(off + 16, len); i += 2) {
      line += i + 1 < len ? ` ${HEX[b[at + i]]}${HEX[b[at + i + 1]]}` : ` ${HEX[b[at + i]]}`;
    }
    out += line;
  }
  return out;
}

/** A MAC address at `at`. */
export const macText = (b: Uint8Array, at: number): string => Array.from(b.subarray(at, at + 6), (x) => HEX[x]).join(':');

/** An IPv4 address at `at`. */
export const ipv4Text = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
