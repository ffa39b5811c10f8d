/**
 * decodePacket on hand-built frames: every field of the common layers, the
 * TCP option kinds, truncation and malformation reporting, argument errors.
 */
import t from 'tap';
import { decodeFrom, decodePacket, findLayer, LinkType, PcapError, TCP_FLAGS } from '../index';
import type { TcpOption } from '../index';
import { ethernet, hex, ipv4, ipv6, tcp, tcp64, udp } from './fixtures/decode/build';

t.test('Ethernet / IPv4 / TCP, every field', async (t) => {
  const f = tcp64();
  t.equal(f.length, 64);
  const p = decodePacket(f, LinkType.ETHERNET);
  t.same(p.layers.map((l) => l.kind), ['ethernet', 'ipv4', 'tcp', 'payload']);
  t.equal(p.truncated, false);
  t.equal(p.error, undefined);
  const eth = findLayer(p, 'ethernet')!;
  t.match(eth, { offset: 0, length: 14, dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', type: 0x0800 });
  const ip = findLayer(p, 'ipv4')!;
  t.match(ip, { offset: 14, length: 20, version: 4, totalLength: 50, id: 0x1234, flags: 2, fragmentOffset: 0,
    ttl: 64, protocol: 6, src: '198.18.0.1', dst: '198.19.255.254', srcAddr: 0xc6120001 });
  const tc = findLayer(p, 'tcp')!;
  t.match(tc, { offset: 34, length: 20, srcPort: 40000, dstPort: 443, seq: 0xdeadbeef, ack: 0x01020304, window: 65535 });
  t.equal(tc.flags, TCP_FLAGS.PSH | TCP_FLAGS.ACK);
  t.same(tc.options, []);
  t.same(p.layers[3], { kind: 'payload', offset: 54, length: 10 });
});

t.test('every TCP option kind, unknown kept raw', async (t) => {
  // Options fit in 40 bytes: two segments between them carry every kind.
  const first = hex(`
    02 04 05 b4        # mss 1460
    03 03 07           # wscale 7
    04 02              # sack permitted
    05 0a 00000010 00000020     # sack, one block
    08 0a 11111111 22222222     # timestamp
    1c 04 8005         # uto 5 minutes
    01 00              # nop, eol
    00 00 00           # padding
  `);
  const second = hex(`
    13 12 000102030405060708090a0b0c0d0e0f     # md5
    1e 06 10 01 02 03  # mptcp subtype 1
    22 06 aabbccdd     # tfo cookie
    fe 06 f989 eeff    # experimental tfo
    63 04 abcd         # unknown kind 99
  `);
  const options = (opts: Uint8Array): TcpOption[] => {
    const p = decodePacket(ethernet(0x0800, ipv4(6, tcp(1, 2, 2, opts))), 1);
    t.equal(p.error, undefined);
    return [...findLayer(p, 'tcp')!.options];
  };
  const o = [...options(first), ...options(second)];
  t.same(o.map((x) => x.name), ['mss', 'wscale', 'sackPermitted', 'sack', 'timestamp', 'uto', 'nop', 'eol',
    'md5', 'mptcp', 'tfo', 'tfo', 'unknown']);
  t.match(o[0], { code: 2, length: 4, mss: 1460 });
  t.match(o[1], { shift: 7 });
  t.same((o[3] as { blocks: unknown }).blocks, [[16, 32]]);
  t.match(o[4], { tsval: 0x11111111, tsecr: 0x22222222 });
  t.match(o[5], { granularityMinutes: true, timeout: 5 });
  t.same([...(o[8] as { digest: Uint8Array }).digest], [...Array(16).keys()]);
  t.match(o[9], { subtype: 1 });
  t.same([...(o[10] as { cookie: Uint8Array }).cookie], [0xaa, 0xbb, 0xcc, 0xdd]);
  t.same([...(o[11] as { cookie: Uint8Array }).cookie], [0xee, 0xff]);
  t.match(o[12], { code: 99, length: 4 });
  t.same([...(o[12] as { data: Uint8Array }).data], [0xab, 0xcd]);
});

t.test('a bad option length stops decoding with an error', async (t) => {
  const p = decodePacket(ethernet(0x0800, ipv4(6, tcp(1, 2, 2, hex('02 09 0000'), Buffer.from('x')))), 1);
  t.equal(findLayer(p, 'tcp')?.srcPort, 1);
  t.match(p.error, /tcp: option 2 at offset \d+ has length 9/);
  t.equal(findLayer(p, 'payload'), undefined);
});

t.test('truncation: cut anywhere, never throws, says where', async (t) => {
  const f = tcp64();
  for (let n = 0; n < f.length; n++) {
    const p = decodePacket(f.subarray(0, n), 1);
    t.equal(p.truncated, true, `cut at ${n}`);
    if (n < 54) t.ok(p.error, `cut at ${n}: error set`);
  }
  const p = decodePacket(f.subarray(0, 40), 1);
  t.match(p.error, /^tcp: needs 20 bytes at offset 34, only 6 captured/);
  t.same(p.layers.map((l) => l.kind), ['ethernet', 'ipv4']);
});

t.test('an enclosing length that lies short is malformed, not truncated', async (t) => {
  const f = tcp64();
  f.writeUInt16BE(30, 16); // IPv4 total length leaves 10 bytes for TCP
  const p = decodePacket(f, 1);
  t.equal(p.truncated, false);
  t.match(p.error, /tcp: needs 20 bytes at offset 34, but the enclosing length leaves 10/);
});

t.test('Ethernet padding is not payload', async (t) => {
  const f = Buffer.concat([ethernet(0x0800, ipv4(17, udp(1000, 2000, Buffer.from('ab')))), Buffer.alloc(20)]);
  const p = decodePacket(f, 1);
  t.same(p.layers.at(-1), { kind: 'payload', offset: 42, length: 2 });
});

t.test('IPv6 extension chain: hop-by-hop, routing, destination, fragment', async (t) => {
  const hbh = hex('2b 00 05 02 0000 01 00'); // next routing; router alert, PadN(0)
  const rt = hex('3c 00 04 03 00000000'); // next dst opts; type 4 (SRH), segments left 3
  const dst = hex('2c 00 01 04 00000000'); // next fragment; PadN(4)
  const frag = hex('11 00 0000 cafef00d'); // next UDP; offset 0, M 0
  const p = decodePacket(ethernet(0x86dd, ipv6(0, Buffer.concat([hbh, rt, dst, frag, udp(53, 53, Buffer.alloc(0))]))), 1);
  t.equal(p.error, undefined);
  const ip = findLayer(p, 'ipv6')!;
  t.match(ip, { src: '2001:db8::1', dst: '2001:db8::ff', trafficClass: 1, flowLabel: 0x23456, protocol: 17, length: 72 });
  t.same(ip.extensions.map((e) => e.type), [0, 43, 60, 44]);
  t.match(ip.extensions[1], { routingType: 4, segmentsLeft: 3 });
  t.match(ip.extensions[3], { fragmentOffset: 0, moreFragments: false, id: 0xcafef00d });
  t.same(ip.extensions[0].options!.map((o) => o.type), [5, 1]);
  t.equal(findLayer(p, 'udp')?.dstPort, 53);
});

t.test('IPv6 ESP stops the chain; a later fragment is payload', async (t) => {
  const esp = decodePacket(ethernet(0x86dd, ipv6(50, hex('00001000 00000007 aabbccdd'))), 1);
  t.match(findLayer(esp, 'ipv6')!.extensions[0], { type: 50, spi: 0x1000, sequence: 7 });
  t.same(esp.layers.at(-1), { kind: 'payload', offset: 14 + 48, length: 4 });
  const frag = decodePacket(ethernet(0x86dd, ipv6(44, Buffer.concat([hex('06 00 0010 00000001'), Buffer.alloc(20)]))), 1);
  t.same(frag.layers.map((l) => l.kind), ['ethernet', 'ipv6', 'payload']);
});

t.test('DNS over UDP and over TCP with its length prefix; compression loops are errors', async (t) => {
  const msg = hex(`
    abcd 8180 0001 0001 0000 0000
    07 6578616d706c65 03 636f6d 00  0001 0001
    c00c 0001 0001 00000e10 0004 c6120005
  `);
  const u = decodePacket(ethernet(0x0800, ipv4(17, udp(53, 5000, msg))), 1);
  const d = findLayer(u, 'dns')!;
  t.match(d, { id: 0xabcd, qr: true, rd: true, ra: true, rcode: 0, qdcount: 1, ancount: 1 });
  t.same(d.questions, [{ name: 'example.com', type: 1, class: 1 }]);
  t.match(d.answers[0], { name: 'example.com', type: 1, ttl: 3600, data: '198.18.0.5' });
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  const tc = decodePacket(ethernet(0x0800, ipv4(6, tcp(53, 5000, 0x18, undefined, Buffer.concat([len, msg])))), 1);
  t.match(findLayer(tc, 'dns'), { tcpLength: msg.length, id: 0xabcd });
  t.equal(tc.error, undefined);
  const loop = hex('0001 0100 0001 0000 0000 0000 c00c 0001 0001');
  const l = decodePacket(ethernet(0x0800, ipv4(17, udp(5000, 53, loop))), 1);
  t.match(l.error, /dns: .*compression pointer/);
});

t.test('link types: raw IPv4/IPv6, null both byte orders, loop, SLL, SLL2', async (t) => {
  const ip4 = ipv4(17, udp(1, 2, Buffer.alloc(0)));
  const ip6 = ipv6(17, udp(1, 2, Buffer.alloc(0)));
  t.same(decodePacket(ip4, 101).layers.map((l) => l.kind), ['ipv4', 'udp']);
  t.same(decodePacket(ip6, 101).layers.map((l) => l.kind), ['ipv6', 'udp']);
  t.same(decodePacket(ip4, 228).layers.map((l) => l.kind), ['ipv4', 'udp']);
  t.same(decodePacket(ip6, 229).layers.map((l) => l.kind), ['ipv6', 'udp']);
  t.match(decodePacket(Buffer.concat([hex('02000000'), ip4]), 0).layers[0], { kind: 'null', family: 2 });
  t.match(decodePacket(Buffer.concat([hex('0000001e'), ip6]), 0).layers[1], { kind: 'ipv6' });
  t.match(decodePacket(Buffer.concat([hex('00000002'), ip4]), 108).layers[1], { kind: 'ipv4' });
  const sll = decodePacket(Buffer.concat([hex('0004 0001 0006 020000000001 0000 0800'), ip4]), 113);
  t.match(sll.layers[0], { kind: 'sll', packetType: 4, hatype: 1, halen: 6, address: '02:00:00:00:00:01', protocol: 0x800 });
  t.equal(sll.layers[1].kind, 'ipv4');
  const sll2 = decodePacket(Buffer.concat([hex('86dd 0000 00000003 0001 00 06 020000000001 0000'), ip6]), 276);
  t.match(sll2.layers[0], { kind: 'sll2', ifindex: 3, packetType: 0, address: '02:00:00:00:00:01', protocol: 0x86dd });
  t.equal(sll2.layers[1].kind, 'ipv6');
  t.same(decodePacket(hex('0102'), 9999).layers, [{ kind: 'payload', offset: 0, length: 2 }]);
});

t.test('decodeFrom starts anywhere; bad arguments are PcapError EINVAL', async (t) => {
  const f = tcp64();
  t.same(decodeFrom('ipv4', f, 14).layers.map((l) => l.kind), ['ipv4', 'tcp', 'payload']);
  t.throws(() => decodePacket('x' as unknown as Uint8Array, 1), PcapError);
  t.throws(() => decodePacket(f, 1.5), { code: 'EINVAL' });
  t.throws(() => decodeFrom('nope' as 'ipv4', f), { code: 'EINVAL', message: /use one of/ });
  t.throws(() => decodeFrom('ipv4', f, 10, 5), { code: 'EINVAL' });
});

t.test('layers do not keep views of the packet', async (t) => {
  const f = tcp64();
  const p = decodePacket(f, 1);
  f.fill(0);
  t.equal(findLayer(p, 'ipv4')!.src, '198.18.0.1');
  t.equal(findLayer(p, 'ethernet')!.src, '02:00:00:00:00:01');
});

t.test('JSON.stringify shows formatted addresses, not their storage', async (t) => {
  const j = JSON.parse(JSON.stringify(decodePacket(tcp64(), 1)));
  t.same(j.layers[0], { kind: 'ethernet', offset: 0, length: 14, dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', type: 0x800 });
  t.match(j.layers[1], { kind: 'ipv4', src: '198.18.0.1', dst: '198.19.255.254', options: [] });
  t.notOk('src32' in j.layers[1]);
  const v6 = JSON.parse(JSON.stringify(decodePacket(ipv6(17, udp(1, 2, Buffer.alloc(0))), 229)));
  t.match(v6.layers[0], { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::ff', extensions: [] });
  const sll = JSON.parse(JSON.stringify(decodePacket(Buffer.concat([hex('0004 0001 0006 020000000001 0000 0800'), ipv4(17, udp(1, 2, Buffer.alloc(0)))]), 113)));
  t.match(sll.layers[0], { kind: 'sll', address: '02:00:00:00:00:01', protocol: 0x800 });
  t.notOk('addrHi' in sll.layers[0]);
});

t.test('nesting is bounded: 40 stacked VLAN tags stop at 32 layers with an error', async (t) => {
  const tags = Buffer.concat(Array.from({ length: 40 }, () => hex('0001 8100')));
  const p = decodePacket(ethernet(0x8100, tags), 1);
  t.equal(p.layers.length, 32);
  t.match(p.error, /more than 32 layers/);
});
