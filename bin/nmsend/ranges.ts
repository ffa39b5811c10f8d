/**
 * Values a flag gives as one value or an inclusive range `MIN-MAX`:
 * frame sizes, ports, IPv4 addresses. A range is walked in order, wrapping.
 */
import { inSubnet, parseIpv4 } from '../../lib/craft/address';
import { formatIPv4 } from '../../lib/decode/format';
import { UsageError } from './usage-error';

/** An inclusive range of integers (addresses as 32-bit numbers). */
export interface Range {
  first: number;
  last: number;
}

/** How many values the range holds. */
export function rangeSize(r: Range): number {
  return r.last - r.first + 1;
}

function split(text: string, flag: string): [string, string] {
  const parts = text.split('-');
  if (parts.length === 1) return [parts[0], parts[0]];
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0], parts[1]];
  throw new UsageError(`${flag} takes a value or a range MIN-MAX, not "${text}"`);
}

/** `"60"` or `"60-1514"` as a range of integers in [min, max]. */
export function parseIntRange(text: string, flag: string, min: number, max: number): Range {
  const [a, b] = split(text, flag).map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (!(a >= min && b <= max && a <= b)) {
    throw new UsageError(`${flag} takes integers from ${min} to ${max} (MIN-MAX with MIN <= MAX), not "${text}"`);
  }
  return { first: a, last: b };
}

/** `"198.18.0.1"` or `"198.18.0.1-198.18.0.100"` as a range of addresses. */
export function parseIpRange(text: string, flag: string): Range {
  const [a, b] = split(text, flag);
  let r: Range;
  try {
    r = { first: parseIpv4(a), last: parseIpv4(b) };
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
  if (r.first > r.last) throw new UsageError(`${flag}: the range "${text}" ends before it starts`);
  return r;
}

/** Both ends of `r` inside `prefix/bits` (a range is contiguous, so that is all of it). */
export function rangeInSubnet(r: Range, prefix: string, bits: number): boolean {
  const p = parseIpv4(prefix);
  return inSubnet(r.first, p, bits) && inSubnet(r.last, p, bits);
}

/** `"198.18.0.1"` or `"198.18.0.1-198.18.0.9"`, as a flag would give it. */
export function formatIpRange(r: Range): string {
  return r.first === r.last ? formatIPv4(r.first) : `${formatIPv4(r.first)}-${formatIPv4(r.last)}`;
}
