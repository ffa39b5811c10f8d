/**
 * Address formatters. Layers keep addresses as numbers (cheap to decode)
 * and format them only when read, with these.
 */

// Lookup tables: concatenating table strings is several times faster than
// template literals with number conversions (measured ~60 vs ~220 ns per IPv4 address).
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const COLON_HEX = HEX.map((h) => `:${h}`);
const DEC = Array.from({ length: 256 }, (_, i) => String(i));
const DOT_DEC = DEC.map((d) => `.${d}`);

/*
 * Small direct-mapped caches of formatted addresses: real traffic repeats
 * its addresses, and a hit (an index, a compare) is several times cheaper
 * than building the string. Bounded: CACHE entries each, overwritten.
 */
const CACHE = 1024;
const IP_KEY = new Int32Array(CACHE);
const IP_TEXT = new Array<string>(CACHE).fill('');
const MAC_HI = new Int32Array(CACHE);
const MAC_LO = new Int32Array(CACHE);
const MAC_TEXT = new Array<string>(CACHE).fill('');

/** "aa:bb:cc:dd:ee:ff" from a 48-bit number. */
export function formatMac(mac: number): string {
  return formatMacParts((mac / 0x100000000) & 0xffff, mac | 0);
}

/** "aa:bb:cc:dd:ee:ff" from the high 16 bits and the low 32 bits (signed or not). */
export function formatMacParts(hi: number, lo: number): string {
  const i = (lo ^ (lo >>> 10) ^ (lo >>> 20) ^ hi) & (CACHE - 1);
  const cached = MAC_TEXT[i];
  if (cached !== '' && MAC_LO[i] === (lo | 0) && MAC_HI[i] === hi) return cached;
  const text = HEX[hi >>> 8] + COLON_HEX[hi & 255] + COLON_HEX[lo >>> 24] + COLON_HEX[(lo >>> 16) & 255] +
    COLON_HEX[(lo >>> 8) & 255] + COLON_HEX[lo & 255];
  MAC_HI[i] = hi;
  MAC_LO[i] = lo;
  MAC_TEXT[i] = text;
  return text;
}

/** "a.b.c.d" from a 32-bit number (signed or unsigned). */
export function formatIPv4(addr: number): string {
  const k = addr | 0;
  const i = (k ^ (k >>> 10) ^ (k >>> 20)) & (CACHE - 1);
  const cached = IP_TEXT[i];
  if (cached !== '' && IP_KEY[i] === k) return cached;
  const text = DEC[k >>> 24] + DOT_DEC[(k >>> 16) & 255] + DOT_DEC[(k >>> 8) & 255] + DOT_DEC[k & 255];
  IP_KEY[i] = k;
  IP_TEXT[i] = text;
  return text;
}

/** Colon-separated hex bytes ("00:1a:2b"), for hardware addresses of any length. */
export function formatHex(d: Uint8Array, from = 0, to = d.length): string {
  let s = '';
  for (let i = from; i < to; i++) s += i === from ? HEX[d[i]] : COLON_HEX[d[i]];
  return s;
}

/**
 * An IPv6 address in RFC 5952 form (lower case, longest run of two or more
 * zero groups as "::", IPv4-mapped as ::ffff:a.b.c.d) from 16 bytes at `at`.
 */
export function formatIPv6(d: Uint8Array, at = 0): string {
  const w = (i: number): number => (d[at + i] << 24) | (d[at + i + 1] << 16) | (d[at + i + 2] << 8) | d[at + i + 3];
  return formatIPv6Words(w(0), w(4), w(8), w(12));
}

const V6_KEY = new Int32Array(CACHE * 4);
const V6_TEXT = new Array<string>(CACHE).fill('');
/** Scratch for the eight groups (formatting is synchronous). */
const GROUPS = new Int32Array(8);

/** IPv6 text from the address as four 32-bit words, first word first (how layers store it). */
export function formatIPv6Words(w0: number, w1: number, w2: number, w3: number): string {
  const i = (w0 ^ w1 ^ w2 ^ w3 ^ (w3 >>> 10) ^ (w3 >>> 20)) & (CACHE - 1);
  const k = 4 * i;
  if (V6_TEXT[i] !== '' && V6_KEY[k] === (w0 | 0) && V6_KEY[k + 1] === (w1 | 0) && V6_KEY[k + 2] === (w2 | 0) && V6_KEY[k + 3] === (w3 | 0)) {
    return V6_TEXT[i];
  }
  const text = buildIPv6(w0, w1, w2, w3);
  V6_KEY[k] = w0; V6_KEY[k + 1] = w1; V6_KEY[k + 2] = w2; V6_KEY[k + 3] = w3;
  V6_TEXT[i] = text;
  return text;
}

function buildIPv6(w0: number, w1: number, w2: number, w3: number): string {
  const g = GROUPS;
  g[0] = w0 >>> 16; g[1] = w0 & 0xffff; g[2] = w1 >>> 16; g[3] = w1 & 0xffff;
  g[4] = w2 >>> 16; g[5] = w2 & 0xffff; g[6] = w3 >>> 16; g[7] = w3 & 0xffff;
  if (w0 === 0 && w1 === 0 && (w2 | 0) === 0xffff) {
    return `::ffff:${DEC[w3 >>> 24]}${DOT_DEC[(w3 >>> 16) & 255]}${DOT_DEC[(w3 >>> 8) & 255]}${DOT_DEC[w3 & 255]}`;
  }
  // The longest run of two or more zero groups (the first, if tied) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) { s += '::'; i += bestLen - 1; continue; }
    s += (s === '' || s.endsWith(':') ? '' : ':') + g[i].toString(16);
  }
  return s;
}
