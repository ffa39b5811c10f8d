/** TCP options: every kind in use, unknown kinds kept as raw bytes. */
import { copy, u16, u32 } from './state';

interface Opt<N extends string> {
  readonly name: N;
  /** The option kind byte. */
  readonly code: number;
  /** Bytes of the whole option (kind and length included). */
  readonly length: number;
}

export type TcpOption =
  | Opt<'eol'>
  | Opt<'nop'>
  | (Opt<'mss'> & { readonly mss: number })
  | (Opt<'wscale'> & { readonly shift: number })
  | Opt<'sackPermitted'>
  /** SACK blocks as [left edge, right edge] pairs. */
  | (Opt<'sack'> & { readonly blocks: ReadonlyArray<readonly [number, number]> })
  | (Opt<'timestamp'> & { readonly tsval: number; readonly tsecr: number })
  /** RFC 2385 MD5 signature (kind 19). */
  | (Opt<'md5'> & { readonly digest: Uint8Array })
  /** RFC 5482 user timeout (kind 28): `timeout` in minutes if `granularityMinutes`, else seconds. */
  | (Opt<'uto'> & { readonly granularityMinutes: boolean; readonly timeout: number })
  /** Multipath TCP (kind 30): the subtype (high nibble of the first data byte) and the data bytes. */
  | (Opt<'mptcp'> & { readonly subtype: number; readonly data: Uint8Array })
  /** TCP Fast Open cookie (kind 34, or experimental kind 254 with magic 0xf989); empty for a cookie request. */
  | (Opt<'tfo'> & { readonly cookie: Uint8Array })
  /** Any other kind, or a known kind with a length it cannot have: the bytes after kind and length. */
  | (Opt<'unknown'> & { readonly data: Uint8Array });

// The options without data are shared, frozen objects: most segments carry
// NOPs, and this saves an allocation for each.
const EOL: TcpOption = Object.freeze({ name: 'eol', code: 0, length: 1 });
const NOP: TcpOption = Object.freeze({ name: 'nop', code: 1, length: 1 });
const SACK_PERMITTED: TcpOption = Object.freeze({ name: 'sackPermitted', code: 4, length: 2 });

/**
 * Options in d[at..end) into `out`. Returns an error message for an option
 * whose length is missing or runs past the header (what came before is kept).
 */
export function tcpOptions(d: Uint8Array, at: number, end: number, out: TcpOption[]): string | undefined {
  while (at < end) {
    const code = d[at];
    if (code === 0) { out.push(EOL); return undefined; }
    if (code === 1) { out.push(NOP); at++; continue; }
    if (at + 1 >= end) return `tcp: option ${code} at offset ${at} has no length byte`;
    const len = d[at + 1];
    if (len < 2 || at + len > end) return `tcp: option ${code} at offset ${at} has length ${len}, outside 2..${end - at}`;
    out.push(option(d, code, at, len));
    at += len;
  }
  return undefined;
}

function option(d: Uint8Array, code: number, at: number, length: number): TcpOption {
  switch (code) {
    case 2: if (length === 4) return { name: 'mss', code, length, mss: u16(d, at + 2) }; break;
    case 3: if (length === 3) return { name: 'wscale', code, length, shift: d[at + 2] }; break;
    case 4: if (length === 2) return SACK_PERMITTED; break;
    case 5:
      if ((length - 2) % 8 === 0) {
        const blocks: Array<[number, number]> = [];
        for (let p = at + 2; p < at + length; p += 8) blocks.push([u32(d, p), u32(d, p + 4)]);
        return { name: 'sack', code, length, blocks };
      }
      break;
    case 8: if (length === 10) return { name: 'timestamp', code, length, tsval: u32(d, at + 2), tsecr: u32(d, at + 6) }; break;
    case 19: if (length === 18) return { name: 'md5', code, length, digest: copy(d, at + 2, at + 18) }; break;
    case 28:
      if (length === 4) {
        const v = u16(d, at + 2);
        return { name: 'uto', code, length, granularityMinutes: (v & 0x8000) !== 0, timeout: v & 0x7fff };
      }
      break;
    case 30: if (length >= 3) return { name: 'mptcp', code, length, subtype: d[at + 2] >>> 4, data: copy(d, at + 2, at + length) }; break;
    case 34: return { name: 'tfo', code, length, cookie: copy(d, at + 2, at + length) };
    case 254:
      if (length >= 4 && u16(d, at + 2) === 0xf989) return { name: 'tfo', code, length, cookie: copy(d, at + 4, at + length) };
      break;
    default:
  }
  return { name: 'unknown', code, length, data: copy(d, at + 2, at + length) };
}
