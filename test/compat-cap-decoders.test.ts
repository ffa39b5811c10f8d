// compat/cap's decoders: field by field against tshark on hand-built frames,
// cap's result shapes and units, the cases cap 0.2.1 got wrong, and no
// throw on any truncation of any frame.
import t from 'tap';
import cap = require('../compat/cap');
import { join } from 'node:path';
import { FRAMES } from './fixtures/compat/cap-packets';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';
import { compareWithTshark, decodeAsTshark } from './fixtures/compat/tshark-view';

const { decoders } = cap;
const { PROTOCOL } = decoders;

t.test('decoded fields equal tshark\'s, frame by frame', async (t) => {
  const compared = compareWithTshark(t, Object.entries(FRAMES));
  t.ok(compared > 350, `${compared} field values compared`);
});

t.test('real traffic from the kernel, captured with Cap, decoded as tshark decodes it', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t, { disableIpv6: false });
  const r = await runInNetns(ns, join(__dirname, 'fixtures', 'compat', 'cap-real.ts'), [], { timeoutMs: 60_000 });
  if (r.code !== 0 || !r.json) {
    t.fail(`capture failed (exit ${r.code})`, { stdout: r.stdout, stderr: r.stderr });
    return;
  }
  const frames: [string, Buffer][] = [...r.json.lo, ...r.json.va].map((h: string, i: number) => [`real #${i}`, Buffer.from(h, 'hex')]);
  const seen = (want: (v: Record<string, string>) => boolean) => frames.filter(([, f]) => want(decodeAsTshark(f))).length;
  t.ok(seen((v) => v['ip.proto'] === '6' && v['tcp.hdr_len'] === '40') >= 2, 'IPv4 TCP SYNs with the kernel\'s options');
  t.ok(seen((v) => 'ipv6.plen' in v && 'tcp.srcport' in v) >= 8, 'TCP over IPv6');
  t.ok(seen((v) => 'ipv6.plen' in v && 'udp.srcport' in v) >= 1, 'UDP over IPv6');
  t.ok(seen((v) => v['icmp.type'] === '3' && v['icmp.code'] === '3' && 'udp.srcport' in v) >= 1,
    'an ICMP port unreachable quoting the IPv4 + UDP header');
  t.equal(seen((v) => v['arp.opcode'] === '1' && v['arp.src.proto_ipv4'] === '198.18.0.1'), 1, 'the kernel\'s ARP request');
  const compared = compareWithTshark(t, frames);
  t.ok(compared > 400, `${compared} field values compared over ${frames.length} frames`);
});

t.test('result shapes: cap\'s keys, in cap\'s order', async (t) => {
  const keys = (o: object) => Object.keys(o);
  const tcpFrame = FRAMES.tcpOptions;
  const e = decoders.Ethernet(tcpFrame);
  t.same(keys(e), ['info', 'offset']);
  t.same(keys(e.info), ['dstmac', 'srcmac', 'type', 'vlan', 'length']);
  const ip = decoders.IPV4(tcpFrame, e.offset);
  t.same(keys(ip), ['info', 'hdrlen', 'offset']);
  t.same(keys(ip.info), ['hdrlen', 'dscp', 'ecn', 'totallen', 'id', 'flags', 'fragoffset', 'ttl', 'protocol',
    'hdrchecksum', 'srcaddr', 'dstaddr', 'options']);
  t.equal(ip.info.hdrlen, 5, 'info.hdrlen in 32-bit words, hdrlen in bytes');
  t.equal(ip.hdrlen, 20);
  const tcp = decoders.TCP(tcpFrame, ip.offset);
  t.same(keys(tcp), ['info', 'hdrlen', 'offset']);
  t.same(keys(tcp.info), ['srcport', 'dstport', 'seqno', 'ackno', 'flags', 'window', 'checksum', 'urgentptr', 'options']);
  t.equal(tcp.hdrlen, 32, 'options counted in hdrlen');
  t.equal(tcpFrame.toString('latin1', tcp.offset), 'GET / HTTP/1.1\r\n', 'offset is where the payload starts');
  const u = decoders.UDP(FRAMES.udp, 34);
  t.same(keys(u), ['info', 'offset']);
  t.same(keys(u.info), ['srcport', 'dstport', 'length', 'checksum']);
  t.equal(u.info.length, 13, 'UDP length is the payload\'s (field - 8), as in cap');
  const v6 = decoders.IPV6(FRAMES.ipv6Udp, 14);
  t.same(keys(v6), ['info', 'payloadlen', 'offset']);
  t.same(keys(v6.info), ['class', 'flowLabel', 'extensions', 'protocol', 'hopLimit', 'srcaddr', 'dstaddr', 'payloadlen']);
  t.equal(v6.info.srcaddr, '20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:0a', 'cap\'s IPv6 text form');
  const a = decoders.ARP(FRAMES.arp, 14);
  t.same(keys(a.info), ['hardwareaddr', 'protocol', 'hdrlen', 'protlen', 'opcode', 'sendermac', 'senderip',
    'targetmac', 'targetip']);
  t.equal(a.offset, 14 + 28);
  const s = decoders.SCTP(FRAMES.sctp, FRAMES.sctp.length, 34);
  t.same(keys(s.info), ['srcport', 'dstport', 'verifyTag', 'checksum', 'chunks']);
  t.same(keys(s.info.chunks![0]), ['type', 'flags', 'offset', 'length']);
  const echo = decoders.ICMPV4(FRAMES.echoReply, FRAMES.echoReply.length, 34);
  t.same(keys(echo.info), ['type', 'code', 'checksum', 'identifier', 'seqno']);
  t.equal(echo.offset, 34 + 8);
  const te = decoders.ICMPV4(FRAMES.timeExceeded, 0, 34);
  t.same(keys(te.info), ['type', 'code', 'checksum', 'IPHeader', 'dataOffset']);
  t.same(keys(te.info.IPHeader!), ['info', 'hdrlen']);
  t.equal(te.info.dataOffset, 34 + 8 + 20);
  t.equal(te.offset, 34 + 8 + 20 + 8, 'after the 8 quoted bytes');
  t.same(keys(decoders.ICMPV4(FRAMES.fragNeeded, 0, 34).info),
    ['type', 'code', 'checksum', 'nextHopMTU', 'IPHeader', 'dataOffset']);
  t.same(keys(decoders.ICMPV4(FRAMES.redirect, 0, 34).info),
    ['type', 'code', 'checksum', 'gatewayAddr', 'IPHeader', 'dataOffset']);
  t.same(keys(decoders.ICMPV4(FRAMES.routerAdvert, 0, 34).info), ['type', 'code', 'checksum', 'lifetime', 'addrs']);
  // No result of a whole frame says truncated.
  for (const r of [e, ip, tcp, u, v6, a, s, echo, te]) t.notOk('truncated' in r);
});

t.test('where cap 0.2.1 was wrong, ours is right', async (t) => {
  t.same(decoders.Ethernet(FRAMES.vlan).info.vlan, { priority: 5, CFI: true, VID: 100 },
    'VLAN priority (cap shifted by 31 and always gave 0)');
  t.same(decoders.Ethernet(FRAMES.vlanPrio7).info.vlan, { priority: 7, CFI: false, VID: 4094 });

  const esp = decoders.IPV6(FRAMES.ipv6Esp, 14);
  t.equal(esp.info.protocol, PROTOCOL.IP.ESP, 'IPv6 + ESP: stops at ESP (cap looped forever)');
  t.equal(esp.offset, 54, 'offset at the ESP header');
  const ah = decoders.IPV6(FRAMES.ipv6Ah, 14);
  t.equal(ah.info.protocol, PROTOCOL.IP.UDP, 'IPv6 + AH: the protocol after AH');
  t.equal(ah.offset, 14 + 40 + 24, 'AH is (len + 2) * 4 bytes');
  t.equal(decoders.UDP(FRAMES.ipv6Ah, ah.offset!).info.dstport, 2000);
  const chain = decoders.IPV6(FRAMES.ipv6Chain, 14);
  t.equal(chain.info.protocol, PROTOCOL.IP.UDP, 'hop-by-hop, destination options, routing, then UDP');
  t.equal(chain.offset, 14 + 40 + 8 + 8 + 24);
  const none = decoders.IPV6(FRAMES.ipv6NoNext, 14);
  t.equal(none.info.protocol, undefined, 'No Next Header: no protocol');
  t.equal(none.offset, undefined, '... and no offset, as in cap');

  const s = decoders.SCTP(FRAMES.sctp, FRAMES.sctp.length, 34);
  t.equal(s.info.verifyTag, 0xdeadbeef, 'SCTP verification tag (cap never read it)');
  t.equal(s.info.checksum, 0x12345678, 'SCTP checksum: 32 bits at byte 8');
  t.same(s.info.chunks!.map((c) => [c.type, c.flags, c.offset, c.length]),
    [[0, 3, 50, 17], [14, 1, 74, 0], [10, 0, 78, 7]], 'chunks found at 12 and after padding');
  const data = s.info.chunks![0];
  t.equal(FRAMES.sctp.readUInt32BE(data.offset), 7, 'a chunk\'s offset is its value (DATA: the TSN)');
  t.equal(FRAMES.sctp.toString('latin1', data.offset + 12, data.offset + data.length), 'hello');
  t.equal(FRAMES.sctp.toString('latin1', s.info.chunks![2].offset, s.info.chunks![2].offset + 7), 'cookie!');
  t.equal(s.offset, FRAMES.sctp.length, 'after the last chunk and its padding');
  const unpadded = FRAMES.sctp.subarray(0, FRAMES.sctp.length - 1);
  const last = decoders.SCTP(unpadded, unpadded.length, 34);
  t.equal(last.offset, unpadded.length, 'the last chunk\'s padding may be absent');
  t.notOk('truncated' in last, '... which is not a truncation');
  t.equal(decoders.SCTP(FRAMES.sctp, 34 + 12, 34).info.chunks, undefined, 'nbytes ends the walk');
  t.same(decoders.SCTP(FRAMES.sctp, 34 + 12 + 24, 34).info.chunks!.map((c) => c.type), [0], 'nbytes ends the walk');

  const ra = decoders.ICMPV4(FRAMES.routerAdvert, 0, 34).info;
  t.same(ra.addrs, [{ addr: '198.18.0.254', pref: 10 }, { addr: '198.18.0.253', pref: -16 }],
    'router advertisement: the entries only (cap put empty slots first)');
  const echo = decoders.ICMPV4(FRAMES.echoRequest, 0, 34).info;
  t.same([echo.identifier, echo.seqno], [0x1d2c, 3], 'echo request has identifier and seqno');
  const tr = decoders.ICMPV4(FRAMES.traceroute, 0, 34);
  t.same(tr.info, { type: 30, code: 0, checksum: tr.info.checksum, identifier: 0x0102, outHopCount: 3,
    retHopCount: 0xffff, outLnkSpeed: 100_000_000, outLnkMTU: 1500 }, 'traceroute fields per RFC 1393');
  t.equal(tr.offset, 34 + 20);
});

t.test('cap\'s conventions: offsets, 802.3 lengths, TSO, flags that hide fields', async (t) => {
  const framed = Buffer.concat([Buffer.from('junk'), FRAMES.udp]);
  t.same(decoders.Ethernet(framed, 4).info, decoders.Ethernet(FRAMES.udp).info, 'a start offset');
  t.equal(decoders.Ethernet(framed, 4).offset, 18);
  t.same(decoders.Ethernet(FRAMES.udp, 0), decoders.Ethernet(FRAMES.udp, undefined), 'falsy offset is 0');
  const llc = Buffer.from(FRAMES.udp);
  llc.writeUInt16BE(46, 12);
  t.same([decoders.Ethernet(llc).info.type, decoders.Ethernet(llc).info.length], [undefined, 46], '802.3 length');
  llc.writeUInt16BE(1510, 12);
  t.same([decoders.Ethernet(llc).info.type, decoders.Ethernet(llc).info.length], [undefined, undefined], '1501-1535');
  const tso = Buffer.from(FRAMES.udp);
  tso.writeUInt16BE(0, 16);
  t.equal(decoders.IPV4(tso, 14).info.totallen, tso.length - 14, 'total length 0 (TSO): from the buffer');
  const syn = decoders.TCP(FRAMES.tcpUrgent, 34).info;
  t.equal(syn.ackno, undefined, 'no ACK flag: no ackno');
  t.equal(syn.urgentptr, 7, 'URG flag: urgent pointer');
  t.equal(decoders.TCP(FRAMES.tcpOptions, 34).info.urgentptr, undefined, 'no URG flag: no urgent pointer');
  t.equal(decoders.TCP(FRAMES.tcpNs, 34).info.flags, 0x1d0, 'the NS bit is the 9th flag bit');
  t.equal(decoders.IPV4(FRAMES.ipOptions, 14).offset, 14 + 24, 'IPv4 options skipped by hdrlen');
});

t.test('PROTOCOL maps names to numbers and numbers to names', async (t) => {
  t.equal(PROTOCOL.ETHERNET.IPV4, 2048);
  t.equal(PROTOCOL.ETHERNET.ARP, 2054);
  t.equal(PROTOCOL.ETHERNET.IPV6, 34525);
  t.equal(PROTOCOL.ETHERNET[33024], 'VLAN');
  t.equal(PROTOCOL.ETHERNET['X.75'], 2049);
  t.equal(PROTOCOL.IP.TCP, 6);
  t.equal(PROTOCOL.IP[17], 'UDP');
  t.equal(PROTOCOL.IP.SCTP, 132);
  t.equal(PROTOCOL.IP['MOBILITY HEADER'], 135);
  t.equal(PROTOCOL.IP[84], 'IPTM', 'a shared number names the later entry, as in cap');
  t.equal(PROTOCOL.IP.TTP, 84);
  const names = (table: Record<string, unknown>) => Object.values(table).filter((v) => typeof v === 'number').length;
  t.equal(names(PROTOCOL.ETHERNET), 21, 'cap\'s 21 EtherTypes');
  t.equal(names(PROTOCOL.IP), 139, 'cap\'s 139 IP protocol names');
  for (const table of [PROTOCOL.ETHERNET, PROTOCOL.IP]) {
    for (const [k, v] of Object.entries(table)) {
      if (typeof v === 'number') t.equal(typeof table[v], 'string', `${k} has a reverse entry`);
    }
  }
});

t.test('no truncation of any frame makes a decoder throw; each says truncated', async (t) => {
  let cuts = 0;
  let noResult = 0;
  for (const [name, frame] of Object.entries(FRAMES)) {
    for (let len = 0; len < frame.length; len++) {
      const b = frame.subarray(0, len);
      decodeAsTshark(b); // the whole chain, as a cap program would walk it
      for (const at of [0, 14, 18, 34, 54]) {
        for (const r of [decoders.Ethernet(b, at), decoders.IPV4(b, at), decoders.IPV6(b, at), decoders.ARP(b, at),
          decoders.TCP(b, at), decoders.UDP(b, at), decoders.ICMPV4(b, len, at), decoders.SCTP(b, len, at)]) {
          if (typeof r.info !== 'object' || typeof r.offset !== 'number' && r.offset !== undefined) noResult++;
        }
      }
      cuts++;
    }
    t.equal(decoders.Ethernet(frame.subarray(0, 13)).truncated, true, `${name}: Ethernet cut short`);
  }
  t.equal(decoders.IPV4(FRAMES.udp.subarray(0, 30), 14).truncated, true);
  t.equal(decoders.IPV4(FRAMES.udp.subarray(0, 30), 14).info.srcaddr, '198.18.0.1');
  t.equal(decoders.IPV4(FRAMES.udp.subarray(0, 30), 14).info.dstaddr, '', 'a field not in the buffer is empty');
  t.equal(decoders.TCP(FRAMES.tcpOptions.subarray(0, 34 + 24), 34).truncated, true, 'TCP options cut');
  t.equal(decoders.IPV6(FRAMES.ipv6Ah.subarray(0, 70), 14).truncated, true, 'extension chain cut');
  t.equal(decoders.IPV6(FRAMES.ipv6Ah.subarray(0, 70), 14).info.protocol, undefined);
  t.equal(decoders.SCTP(FRAMES.sctp.subarray(0, 60), 60, 34).truncated, true, 'a chunk cut');
  t.ok(cuts > 1000, `${cuts} truncations`);
  t.equal(noResult, 0, 'every call returned { info, offset }');

  // 100,000 packets through every decoder, seeded: half random bytes, half
  // our frames with a few bytes changed (lengths, types, next headers).
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const frames = Object.values(FRAMES);
  const started = Date.now();
  for (let i = 0; i < 100_000; i++) {
    let b: Buffer;
    if (i % 2) {
      b = Buffer.alloc(rand() % 120);
      for (let j = 0; j < b.length; j++) b[j] = rand() & 0xff;
    } else {
      b = Buffer.from(frames[rand() % frames.length]);
      for (let k = rand() % 4; k >= 0; k--) b[rand() % b.length] = rand() & 0xff;
      b = b.subarray(0, b.length - (rand() % 8));
    }
    decodeAsTshark(b);
    for (const at of [0, 14, 34]) {
      decoders.IPV6(b, at); decoders.ICMPV4(b, b.length, at); decoders.SCTP(b, b.length, at); decoders.ARP(b, at);
    }
  }
  t.pass(`100,000 fuzzed packets decoded without a throw in ${Date.now() - started} ms`);
  const badSctp = Buffer.from(FRAMES.sctp);
  badSctp.writeUInt16BE(2, 34 + 12 + 2);
  t.match(decoders.SCTP(badSctp, badSctp.length, 34).error, /chunk 0 at byte 46 has length 2/, 'a malformed chunk is named');
});

t.test('bad arguments: TypeError with code EINVAL', async (t) => {
  for (const bad of [undefined, null, 'abc', [1, 2, 3], 42]) {
    t.throws(() => decoders.Ethernet(bad as never), { name: 'TypeError', code: 'EINVAL',
      message: 'buffer must be a Buffer or Uint8Array' });
  }
  t.throws(() => decoders.TCP(FRAMES.udp, -1), { name: 'TypeError', code: 'EINVAL', message: /offset must be/ });
  t.throws(() => decoders.UDP(FRAMES.udp, 1.5), { code: 'EINVAL' });
  t.same(decoders.UDP(new Uint8Array(FRAMES.udp), 34).info, decoders.UDP(FRAMES.udp, 34).info, 'a Uint8Array works');
});
