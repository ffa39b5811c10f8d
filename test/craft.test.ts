// Frame crafting (lib/craft): the Internet checksum against published
// values, whole frames against an independent field-by-field decode, the
// sequence stamp round trip, and the errors bad specs get. No root needed;
// tshark's checksum verdict on crafted frames is in test/cli-nmsend.test.ts.
import t from 'tap';
import {
  checksumAdd, checksumFinish, craftFrame, formatHex, formatIPv4, internetChecksum, l4PayloadOffset,
  minFrameSize, parseIpv4, parseMac, readSeqStamp, SEQ_STAMP_LENGTH, SEQ_STAMP_MAGIC, writeSeqStamp,
} from '../index';
import type { FrameSpec } from '../index';
import { codeOf } from './helpers/errors';

const base: FrameSpec = {
  proto: 'udp', srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('ff:ff:ff:ff:ff:ff'),
  srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.19.0.1'), srcPort: 1234, dstPort: 4321, size: 60,
};


t.test('the Internet checksum', async (t) => {
  // RFC 1071 section 3's example: the folded sum is 0xddf2.
  const rfc = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  t.equal(internetChecksum(rfc), ~0xddf2 & 0xffff);
  // A well-known IPv4 header (192.168.0.1 -> 192.168.0.199, checksum b861), checksum field zeroed.
  const ip = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex');
  t.equal(internetChecksum(ip), 0xb861);
  ip.writeUInt16BE(0xb861, 10);
  t.equal(internetChecksum(ip), 0, 'over data holding its checksum: 0');
  // An odd length pads with a zero byte; sums chain.
  t.equal(internetChecksum(Uint8Array.from([0x12, 0x34, 0x56])), ~(0x1234 + 0x5600) & 0xffff);
  t.equal(checksumFinish(checksumAdd(rfc, 4, 8, checksumAdd(rfc, 0, 4))), internetChecksum(rfc));
});

/** Decode a crafted frame field by field, with Buffer's own readers. */
function decode(f: Buffer) {
  return {
    dst: formatHex(f, 0, 6), src: formatHex(f, 6, 12), type: f.readUInt16BE(12),
    ver: f[14] >> 4, ihl: f[14] & 15, totalLength: f.readUInt16BE(16), id: f.readUInt16BE(18),
    ttl: f[22], proto: f[23], srcIp: formatIPv4(f.readUInt32BE(26)), dstIp: formatIPv4(f.readUInt32BE(30)),
    sport: f.readUInt16BE(34), dport: f.readUInt16BE(36),
  };
}

/** The L4 checksum recomputed over the pseudo-header as plain arithmetic: 0 when right. */
function l4Verify(f: Buffer, proto: number): number {
  const len = f.length - 34;
  let sum = proto + len;
  for (let i = 26; i < 34; i += 2) sum += f.readUInt16BE(i);
  for (let i = 34; i < f.length; i += 2) sum += i + 1 < f.length ? f.readUInt16BE(i) : f[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

t.test('UDP, TCP SYN and ICMP frames', async (t) => {
  const udp = craftFrame({ ...base, size: 75, ipId: 7 });
  t.equal(udp.length, 75);
  t.match(decode(udp), { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', type: 0x0800, ver: 4, ihl: 5,
    totalLength: 61, id: 7, ttl: 64, proto: 17, srcIp: '198.18.0.1', dstIp: '198.19.0.1', sport: 1234, dport: 4321 });
  t.equal(udp.readUInt16BE(38), 41, 'UDP length');
  t.equal(internetChecksum(udp, 14, 34), 0, 'IPv4 header checksum');
  t.equal(l4Verify(udp, 17), 0, 'UDP checksum');
  t.ok(udp.subarray(42).every((b) => b === 0), 'zero padding');

  const syn = craftFrame({ ...base, proto: 'tcp-syn', size: 54, seq: 0xdeadbeef });
  t.equal(syn[23], 6);
  t.equal(syn.readUInt32BE(38), 0xdeadbeef, 'TCP sequence number');
  t.equal(syn[46] >> 4, 5, 'data offset');
  t.equal(syn[47], 0x02, 'SYN only');
  t.equal(l4Verify(syn, 6), 0, 'TCP checksum');

  const icmp = craftFrame({ ...base, proto: 'icmp', size: 98, srcPort: 77, seq: 3 });
  t.equal(icmp[23], 1);
  t.equal(icmp[34], 8, 'echo request');
  t.equal(icmp.readUInt16BE(38), 77, 'identifier');
  t.equal(icmp.readUInt16BE(40), 3, 'sequence');
  t.equal(internetChecksum(icmp, 34, 98), 0, 'ICMP checksum');

  // Every byte is written: crafting over garbage gives the same frame.
  const dirty = Buffer.alloc(200, 0xa5);
  const { writeFrame } = await import('../index');
  t.equal(writeFrame(dirty, 10, { ...base, size: 75, ipId: 7 }), 75);
  t.same(dirty.subarray(10, 85), udp);
});

t.test('sequence stamps', async (t) => {
  const stamp = new Uint8Array(SEQ_STAMP_LENGTH);
  const seq = 2 ** 40 + 5;
  writeSeqStamp(stamp, 0, seq, 1_700_000_000, 999_999_999);
  t.equal(Buffer.from(stamp).readUInt32BE(0), SEQ_STAMP_MAGIC);
  for (const proto of ['udp', 'tcp-syn', 'icmp'] as const) {
    const f = craftFrame({ ...base, proto, size: minFrameSize(proto, SEQ_STAMP_LENGTH), payload: stamp });
    t.equal(l4PayloadOffset(f), minFrameSize(proto), `${proto}: the payload follows the headers`);
    t.same(readSeqStamp(f), { seq, tsSec: 1_700_000_000, tsNsec: 999_999_999 }, `${proto}: round trip`);
  }
  t.equal(readSeqStamp(craftFrame(base)), null, 'no magic: null');
  t.equal(readSeqStamp(Buffer.alloc(20)), null, 'too short: null');
  t.equal(l4PayloadOffset(Buffer.from('ffffffffffff020000000001080600010800060400010200', 'hex')), -1, 'ARP: -1');
});

t.test('addresses and bad specs', async (t) => {
  t.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  t.equal(formatIPv4(parseIpv4('198.18.3.4')), '198.18.3.4');
  for (const bad of ['1.2.3', '256.1.1.1', '1.2.3.4.5', 'a.b.c.d', '']) t.equal(codeOf(() => parseIpv4(bad)), 'EINVAL', bad);
  for (const bad of ['02:00:00:00:00', '02:00:00:00:00:0g', '0200.0000.0001']) t.equal(codeOf(() => parseMac(bad)), 'EINVAL', bad);
  t.match(codeOf(() => craftFrame({ ...base, size: 41 })), 'EINVAL', 'smaller than the headers');
  t.match(codeOf(() => craftFrame({ ...base, size: 50, payload: new Uint8Array(20) })), 'EINVAL', 'payload does not fit');
  t.match(codeOf(() => craftFrame({ ...base, dstPort: 70000 })), 'EINVAL', 'port out of range');
  t.match(codeOf(() => craftFrame({ ...base, proto: 'sctp' as never })), 'EINVAL', 'unknown proto');
  t.match(codeOf(() => craftFrame({ ...base, srcMac: new Uint8Array(4) })), 'EINVAL', 'short MAC');
});
