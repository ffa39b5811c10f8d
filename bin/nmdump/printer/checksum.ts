/**
 * Transport checksums for -v (TCP, UDP, ICMP, ICMPv6), over the IPv4 or
 * IPv6 pseudo-header, as tcpdump checks them: only when the whole segment
 * was captured and the packet is not a fragment.
 */
import { checksumAdd, checksumFinish } from '../../../index';
import type { PrintContext } from './context';
import type { IpInfo } from './ip';

export interface ChecksumResult {
  ok: boolean;
  /** The value the field should hold. */
  shouldBe: number;
  /** The value it holds. */
  value: number;
}

/**
 * Check the checksum of the `length`-byte segment at `at` (its checksum
 * field at `at + fieldAt`); `proto` is the pseudo-header's protocol, or
 * undefined for ICMP (no pseudo-header). undefined: it cannot be checked.
 */
export function checkSegment(c: PrintContext, ip: IpInfo, at: number, length: number, fieldAt: number,
                             proto: number | undefined): ChecksumResult | undefined {
  if (ip.fragmented || at + length > c.bytes.length || length < fieldAt + 2) return undefined;
  let sum = 0;
  if (proto !== undefined) {
    sum = checksumAdd(c.bytes, ip.srcAt, ip.srcAt + ip.addrSize, sum);
    sum = checksumAdd(c.bytes, ip.dstAt, ip.dstAt + ip.addrSize, sum);
    sum += proto + length;
  }
  const value = (c.bytes[at + fieldAt] << 8) | c.bytes[at + fieldAt + 1];
  sum = checksumAdd(c.bytes, at, at + length, sum) - value;
  const shouldBe = checksumFinish(sum);
  return { ok: shouldBe === value || (shouldBe === 0xffff && value === 0) || (shouldBe === 0 && value === 0xffff), shouldBe, value };
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** TCP's -v text: "correct" / "incorrect -> 0x1234" (undefined: not checked). */
export function transportChecksum(c: PrintContext, ip: IpInfo, at: number, length: number, proto: number): string | undefined {
  const r = checkSegment(c, ip, at, length, 16, proto);
  if (!r) return undefined;
  return r.ok ? 'correct' : `incorrect -> 0x${hex4(r.shouldBe)}`;
}

/** UDP's and ICMPv6's -v prefix: "[udp sum ok] " / "[bad udp cksum 0x1234 -> 0x5678!] ". */
export function bracketChecksum(c: PrintContext, ip: IpInfo, at: number, length: number, fieldAt: number,
                                proto: number, name: string): string {
  const r = checkSegment(c, ip, at, length, fieldAt, proto);
  if (!r) return '';
  return r.ok ? `[${name} sum ok] ` : `[bad ${name} cksum 0x${hex4(r.value)} -> 0x${hex4(r.shouldBe)}!] `;
}
