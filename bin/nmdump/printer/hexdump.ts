/**
 * tcpdump's packet dumps, appended after the protocol line:
 *   -x   "\n\t0x0000:  4500 0054 ..."                 8 groups of 2 bytes a line
 *   -X   the same plus two spaces and the bytes as ASCII ('.' if not printable)
 *   -A   a newline, then the bytes as text (CR dropped before LF, other
 *        unprintables as '.')
 * A line's hex part is padded to 40 characters in -X so the ASCII lines up.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const graphic = (b: number): boolean => b > 0x20 && b < 0x7f;
const INDENT = '\n\t';

function offsetLabel(offset: number): string {
  return `0x${offset.toString(16).padStart(4, '0')}:`;
}

/** The hex words of bytes [from, to): " 4500 0054 …". */
function hexWords(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i += 2) s += i + 1 < to ? ` ${HEX[bytes[i]]}${HEX[bytes[i + 1]]}` : ` ${HEX[bytes[i]]}`;
  return s;
}

/** -x: hex, 16 bytes a line. */
export function hexDump(bytes: Uint8Array): string {
  let out = '';
  for (let off = 0; off < bytes.length; off += 16) {
    out += `${INDENT}${offsetLabel(off)} ${hexWords(bytes, off, Math.min(off + 16, bytes.length))}`;
  }
  return out;
}

/** -X: hex and ASCII, 16 bytes a line. */
export function hexAsciiDump(bytes: Uint8Array): string {
  let out = '';
  for (let off = 0; off < bytes.length; off += 16) {
    const end = Math.min(off + 16, bytes.length);
    let text = '';
    for (let i = off; i < end; i++) text += graphic(bytes[i]) ? String.fromCharCode(bytes[i]) : '.';
    out += `${INDENT}${offsetLabel(off)} ${hexWords(bytes, off, end).padEnd(40)}  ${text}`;
  }
  return out;
}

/** -A: the bytes as text. */
export function asciiDump(bytes: Uint8Array): string {
  let out = '\n';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d) {
      // A CR is dropped at a line end; elsewhere it is a '.'.
      if (bytes.length - i - 1 > 1 && bytes[i + 1] !== 0x0a) out += '.';
    } else {
      out += graphic(b) || b === 0x09 || b === 0x20 || b === 0x0a ? String.fromCharCode(b) : '.';
    }
  }
  return out;
}
