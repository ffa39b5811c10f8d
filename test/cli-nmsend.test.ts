// nmsend on a veth pair in a namespace the test creates (both ends inside):
// generated traffic counted, checksummed by tshark and sequence-checked on
// the peer; replay timing measured from the receiver's capture timestamps;
// --loop, --limit, --multiplier, --duration, SIGINT; errors that need a
// real port. Needs root; the capture is tcpdump -w on vb.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { craftFrame, parseIpv4, parseMac, readSeqStamp } from '../index';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';
import { gapErrors, nmsend, nmsendArgv, readCapture, spanSeconds, summaryOf, tcpdump, writeReplayFile } from './helpers/nmsend';

if (requireRoot(t)) {
  const dir = mkdtempSync(join(tmpdir(), 'nmsend-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => join(dir, name);

  /** Numbered UDP frames (the number in the IP id and the stamp-free payload). */
  const frames = (n: number, size = 60) => Array.from({ length: n }, (_, i) => craftFrame({
    proto: 'udp', srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('02:00:00:00:00:02'),
    srcIp: parseIpv4('198.18.0.1'), dstIp: parseIpv4('198.19.0.1'), srcPort: 1000, dstPort: i & 0xffff,
    size, ipId: i,
  }));

  /**
   * Start `nmsend --generate --rate 2000 --duration 30` on va and resolve
   * once vb has received 1000 of its frames (node takes a while to start),
   * for tests that interrupt it. `ended` resolves when it exits (SIGKILL
   * after 60 s).
   */
  async function sending(ns: Netns) {
    const argv = nmsendArgv(ns, ['-i', 'va', '--generate', '--rate', '2000', '--duration', '30']);
    const rxBefore = rxPackets(ns);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const ended = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }));
    for (let i = 0; i < 300 && rxPackets(ns) - rxBefore < 1000; i++) await new Promise((r) => setTimeout(r, 100));
    return { child, ended, rxBefore };
  }

  /** vb's kernel receive counter: catches frames beyond tcpdump's -c count. */
  const rxPackets = (ns: Netns) => Number(ns.exec('cat', ['/sys/class/net/vb/statistics/rx_packets']));

  /** Run nmsend on va while tcpdump captures vb; returns nmsend's result and the capture. */
  async function sendAndCapture(ns: Netns, args: string[], name: string, expect: number) {
    const pcap = file(name);
    const cap = await tcpdump(ns, 'vb', pcap, expect);
    const before = rxPackets(ns);
    const run = await nmsend(ns, ['-i', 'va', ...args]);
    const tcpdumpSays = await cap.stop();
    const arrived = rxPackets(ns) - before;
    return { run, summary: summaryOf(run.stderr), packets: await readCapture(pcap), pcap, tcpdumpSays, arrived };
  }

  const tsharkCount = (pcap: string, filter: string) => Number(execFileSync('sh', ['-c',
    `tshark -r '${pcap}' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE ` +
    `-Y '${filter}' 2>/dev/null | wc -l`], { encoding: 'utf8' }).trim());

  t.test('--generate --count 100000 --seq: every frame arrives, checksums valid, every sequence number once', async (t) => {
    const ns = await Netns.create(t);
    const { run, summary, packets, pcap, tcpdumpSays, arrived } = await sendAndCapture(ns,
      ['--generate', '--count', '100000', '--seq', '--size', '62-200', '--src-port', '1000-1009'], 'gen.pcap', 100000);
    t.equal(run.code, 0, run.stderr);
    t.match(summary, { sent: 100000, failed: 0, why: 'count reached' });
    t.equal(packets.length, 100000, `tcpdump captured exactly 100000 (${tcpdumpSays})`);
    t.equal(arrived, 100000, 'vb received 100000, no more');
    const seen = new Uint8Array(100000);
    let stamped = 0;
    let inOrder = true;
    let sizesOk = true;
    for (const [i, p] of packets.entries()) {
      const s = readSeqStamp(p.data);
      if (!s || s.seq >= 100000) continue;
      stamped++;
      seen[s.seq]++;
      if (s.seq !== i) inOrder = false;
      if (p.data.length !== 62 + (s.seq % 139)) sizesOk = false;
    }
    t.equal(stamped, 100000, 'every frame carries a stamp');
    t.ok(seen.every((c) => c === 1), 'each sequence number exactly once');
    t.ok(inOrder, 'in order');
    t.ok(sizesOk, 'sizes cycle 62..200');
    t.equal(tsharkCount(pcap, 'ip.checksum.status == 1 && udp.checksum.status == 1'), 100000,
      'tshark: IPv4 and UDP checksums good on all 100000');
    // The stamp's send time is the sender's wall clock: within the capture's time.
    const first = readSeqStamp(packets[0].data)!;
    const lag = Number(packets[0].ns - (BigInt(first.tsSec) * 1_000_000_000n + BigInt(first.tsNsec)));
    t.ok(lag >= 0 && lag < 1e9, `stamped before capture (lag ${lag} ns)`);
  });

  t.test('--proto tcp-syn and icmp: checksums valid', async (t) => {
    const ns = await Netns.create(t);
    for (const [proto, filter] of [['tcp-syn', 'tcp.flags == 0x002 && tcp.checksum.status == 1'],
      ['icmp', 'icmp.type == 8 && icmp.checksum.status == 1']]) {
      const { run, packets, pcap } = await sendAndCapture(ns,
        ['--generate', '--proto', proto, '--count', '1000', '--size', '60-1514', '--dst-ip', '198.19.0.1-198.19.0.9'], `${proto}.pcap`, 1000);
      t.equal(run.code, 0, run.stderr);
      t.equal(packets.length, 1000, `${proto}: 1000 captured`);
      t.equal(tsharkCount(pcap, `ip.checksum.status == 1 && ${filter}`), 1000, `${proto}: tshark says all good`);
      const dsts = new Set(packets.map((p) => p.data.readUInt32BE(30)));
      t.equal(dsts.size, 9, `${proto}: the destination range is walked`);
    }
  });

  t.test('replay --pps 20000: the receiver sees the expected duration within 2%', async (t) => {
    const ns = await Netns.create(t);
    const replay = file('pps.pcap');
    await writeReplayFile(replay, frames(20001));
    const { run, packets } = await sendAndCapture(ns, ['--pps', '20000', replay], 'pps-cap.pcap', 20001);
    t.equal(run.code, 0, run.stderr);
    t.equal(packets.length, 20001);
    const span = spanSeconds(packets);
    t.ok(Math.abs(span - 1) <= 0.02, `first..last on the receiver ${span.toFixed(4)} s, expected 1.0000 s`);
  });

  t.test('replay --mbps and --multiplier keep their timing', async (t) => {
    const ns = await Netns.create(t);
    const replay = file('timed.pcap');
    await writeReplayFile(replay, frames(2001, 500), 1_000_000); // 1 ms apart: 2 s as captured
    const m = await sendAndCapture(ns, ['--multiplier', '2', replay], 'mult-cap.pcap', 2001);
    t.equal(m.packets.length, 2001);
    const mspan = spanSeconds(m.packets);
    t.ok(Math.abs(mspan - 1) <= 0.02, `--multiplier 2: ${mspan.toFixed(4)} s, expected 1.0000 s`);
    // Each frame on time, not only the average (a loose bound for a shared
    // machine; the bench compares with tcpreplay in the same run).
    const gaps = gapErrors(m.packets, 500_000);
    t.ok(gaps.median < 50_000, `--multiplier 2: median gap error ${(gaps.median / 1e3).toFixed(1)} µs`);
    t.ok(gaps.p99 < 10_000_000, `--multiplier 2: p99 gap error ${(gaps.p99 / 1e3).toFixed(1)} µs`);
    // 500-byte frames at 8 Mbit/s: 2000 frames after the first take 1 s.
    const b = await sendAndCapture(ns, ['--mbps', '8', replay], 'mbps-cap.pcap', 2001);
    t.equal(b.packets.length, 2001);
    const bspan = spanSeconds(b.packets);
    t.ok(Math.abs(bspan - 1) <= 0.02, `--mbps 8: ${bspan.toFixed(4)} s, expected 1.0000 s`);
  });

  t.test('--loop, --limit, several files, --topspeed', async (t) => {
    const ns = await Netns.create(t);
    const a = file('a.pcap');
    const b = file('b.pcap');
    await writeReplayFile(a, frames(1000));
    await writeReplayFile(b, frames(500, 100));
    const loop = await sendAndCapture(ns, ['--topspeed', '--loop', '3', a, b], 'loop-cap.pcap', 4500);
    t.equal(loop.run.code, 0, loop.run.stderr);
    t.match(loop.summary, { sent: 4500, failed: 0, why: 'end of input' });
    t.equal(loop.packets.length, 4500, `3 passes over 1000 + 500 frames (${loop.tcpdumpSays})`);
    t.equal(loop.arrived, 4500, 'vb received 4500, no more');
    const order = loop.packets.map((p) => `${p.data.length}:${p.data.readUInt16BE(18)}`);
    const pass = [...frames(1000), ...frames(500, 100)].map((f) => `${f.length}:${f.readUInt16BE(18)}`);
    t.same(order, [...pass, ...pass, ...pass], 'files in order, byte lengths and ids as written, each pass');
    const limit = await sendAndCapture(ns, ['--topspeed', '--loop', '0', '--limit', '2500', a], 'limit-cap.pcap', 2500);
    t.match(limit.summary, { sent: 2500, why: 'count reached' });
    t.equal(limit.packets.length, 2500, '--loop 0 --limit 2500: 2500');
    t.equal(limit.arrived, 2500, 'vb received 2500, no more');
  });

  t.test('--topspeed replay of a 1M-packet file reports its rate', async (t) => {
    const ns = await Netns.create(t);
    const big = file('million.pcap');
    await writeReplayFile(big, frames(1024).flatMap((f) => Array(977).fill(f)).slice(0, 1_000_000), 1000);
    const before = rxPackets(ns);
    const run = await nmsend(ns, ['-i', 'va', '--topspeed', big], 120_000);
    const after = rxPackets(ns);
    t.equal(run.code, 0, run.stderr);
    const s = summaryOf(run.stderr);
    t.match(s, { sent: 1_000_000, failed: 0, why: 'end of input' });
    t.ok(s && s.pps > 0 && Math.abs(s.pps / (s.sent / s.seconds) - 1) < 0.001, `reported ${s?.pps} pps over ${s?.seconds} s`);
    t.equal(after - before, 1_000_000, 'vb received all of them');
    t.comment(`nmsend --topspeed, 1M 60-byte frames: ${s?.pps} pps`);
  });

  t.test('--duration and SIGINT end the run with a summary', async (t) => {
    const ns = await Netns.create(t);
    const d = await nmsend(ns, ['-i', 'va', '--generate', '--rate', '1000', '--duration', '1']);
    t.equal(d.code, 0, d.stderr);
    const ds = summaryOf(d.stderr);
    t.match(ds, { why: 'duration reached' });
    t.equal(ds?.sent, 1000, '--rate 1000 for 1 s: the frames due at 0, 1, ... 999 ms');

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const run = await sending(ns);
      run.child.kill(signal);
      const { code, stderr } = await run.ended;
      t.equal(code, 0, `exit 0 after ${signal}: ${stderr}`);
      const s = summaryOf(stderr);
      t.match(s, { why: 'interrupted', failed: 0 }, stderr);
      t.ok(s && s.sent > 0 && s.sent < 60000, `${signal}: stopped early, ${s?.sent} sent`);
      t.equal(rxPackets(ns) - run.rxBefore, s?.sent, `${signal}: the summary counts what vb received`);
    }
  });

  t.test('a progress line on a terminal only', async (t) => {
    const ns = await Netns.create(t);
    // script(1) gives nmsend a pseudo-terminal; its output is the terminal's.
    const cmd = nmsendArgv(ns, ['-i', 'va', '--generate', '--rate', '1000', '--duration', '2.5'])
      .map((a) => `'${a}'`).join(' ');
    const tty = execFileSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    t.match(tty, /\r\d+ packets {2}\d+ pps {2}[\d.]+ Mbit\/s {2}[\d.]+ s/, 'redrawn in place: packets, pps, Mbit/s, elapsed');
    t.match(summaryOf(tty.replace(/\x1b\[K/g, '').replace(/\r/g, '\n')), { sent: 2500, why: 'duration reached' },
      'the progress line is cleared before the summary');
    const piped = await nmsend(ns, ['-i', 'va', '--generate', '--rate', '1000', '--duration', '1.5']);
    t.equal(piped.stderr.trim().split('\n').length, 1, 'not a terminal: the summary alone');
    t.notMatch(piped.stderr, /\r/);
  });

  t.test('the link going down mid-run: the summary, then the error, exit 1', async (t) => {
    const ns = await Netns.create(t);
    const run = await sending(ns);
    ns.exec('ip', ['link', 'set', 'va', 'down']);
    const { code, stderr } = await run.ended;
    t.equal(code, 1, stderr);
    const lines = stderr.trim().split('\n');
    t.equal(lines.length, 2, 'two lines');
    t.match(summaryOf(lines[0]), { why: 'error' }, 'the summary first');
    t.ok((summaryOf(lines[0])?.sent ?? 0) >= 1000, 'counting what was sent before');
    t.match(lines[1], /^nmsend: .*va.*(down|Network)/i, 'then what went wrong');
  });

  t.test('errors that need a real port: one line, exit 1', async (t) => {
    const ns = await Netns.create(t);
    const bad = await nmsend(ns, ['-i', 'nosuchif0', '--generate', '--count', '1']);
    t.equal(bad.code, 1);
    t.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    t.match(bad.stderr, /^nmsend: .*nosuchif0/);
    t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    const unprivileged = await runInNetns(ns, join(__dirname, 'fixtures', 'nmsend-unprivileged.ts'),
      ['-i', 'va', '--generate', '--count', '1']);
    t.equal(unprivileged.code, 1, 'without CAP_NET_RAW: exit 1');
    // Only nmsend's lines: after the uid drop, tap's process-info hook in the
    // child fails to write its report at exit and adds its own stack trace.
    const said = unprivileged.stderr.split('\n').filter((l) => l.startsWith('nmsend'));
    t.equal(said.length, 1, unprivileged.stderr);
    t.match(said[0], /^nmsend: .*CAP_NET_RAW.*setcap/, 'one line that says the fix');
    t.match(unprivileged.stderr, /^nmsend: /, 'and it comes first');
    // A file with frames too large for the link: counted as failed, the rest are sent.
    const mixed = file('jumbo.pcap');
    await writeReplayFile(mixed, [...frames(3), ...frames(2, 9000), ...frames(3)]);
    const j = await nmsend(ns, ['-i', 'va', '--topspeed', mixed]);
    t.equal(j.code, 0, j.stderr);
    t.match(summaryOf(j.stderr), { sent: 6, failed: 2 });
  });
}
