// nmdump's command line, savefile writing and -C/-W/-G rotation, against
// tcpdump where tcpdump can do the same thing. Unprivileged: files only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseOptions, parseFileSize } from '../bin/nmdump/options';
import { fileNumberWidth, rotatedName, strftime } from '../bin/nmdump/rotation';
import { cliMessage } from '../bin/cli-message';
import { dumpOpen, openDead } from '../index';
import { udpFrame } from './fixtures/frames';
import { isRoot } from './helpers/netns';
import { haveTcpdump, runNmdump } from './helpers/nmdump';

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');
const DNS_TCP = path.join(CORPUS, 'dns_tcp.pcap');
// Run as root, tcpdump -C/-G switches to user tcpdump before opening its files, unless -Z root.
const AS_ROOT = isRoot() ? ['-Z', 'root'] : [];

/** tcpdump's count of the packets in a file ('' on error, with the error). */
function tcpdumpCount(file: string): { count: number; stderr: string } {
  const out = execFileSync('sh', ['-c', `tcpdump -n -r "$1" 2>&1 >/dev/null | grep -v '^reading from'; tcpdump -n -r "$1" 2>/dev/null | wc -l`, 'sh', file],
    { encoding: 'utf8' }).trim().split('\n');
  return { count: Number(out.pop()), stderr: out.join('\n') };
}

t.test('flags parse with tcpdump meaning', async (t) => {
  const o = parseOptions(['-nn', '-e', '-ttt', '-XX', '-vv', '-i', 'lo', '-c10', '-s', '0', 'tcp', 'port', '80']);
  t.equal(o.numeric, 2);
  t.equal(o.timestamps, 3);
  t.equal(o.hexAscii, 2);
  t.equal(o.verbose, 2);
  t.equal(o.count, 10);
  t.equal(o.snaplen, 262144, '-s 0 means the largest snapshot');
  t.equal(o.filter, 'tcp port 80');
  t.equal(parseOptions(['-r', 'x', '--time-stamp-precision=nano']).nano, true);
  t.equal(parseFileSize('3'), 3_000_000, '-C counts millions of bytes');
  t.equal(parseFileSize('2k'), 2048);
  t.equal(parseFileSize('1m'), 1 << 20);
});

t.test('bad flags: one line, the usage, exit 1', async (t) => {
  const cases: [string[], RegExp][] = [
    [['-Z'], /^nmdump: unknown option -Z$/],
    [['--bogus'], /^nmdump: unknown option --bogus$/],
    [['-c'], /^nmdump: option -c needs an argument$/],
    [['-r'], /^nmdump: option -r needs an argument$/],
    [['-c', 'abc', '-r', DNS_TCP], /^nmdump: invalid -c argument 'abc'/],
    [['-i', 'lo', '-r', DNS_TCP], /^nmdump: -i and -r conflict/],
    [['-Q', 'sideways', '-i', 'lo'], /^nmdump: invalid -Q direction 'sideways'/],
    [['-tttttt', '-r', DNS_TCP], /^nmdump: too many -t flags/],
    [['-W', '3', '-w', 'x.pcap', '-r', DNS_TCP], /^nmdump: -W needs -C or -G$/],
    [['-C', '1', '-r', DNS_TCP], /^nmdump: -C, -W and -G need -w FILE$/],
    [['--time-stamp-precision=pico', '-r', DNS_TCP], /^nmdump: invalid --time-stamp-precision 'pico'/],
    [['-p', '-r', DNS_TCP], /^nmdump: -p applies to live capture/],
    [['-F', '/nonexistent/filter', '-r', DNS_TCP], /^nmdump: cannot read filter file/],
  ];
  for (const [args, first] of cases) {
    const r = await runNmdump(args);
    const lines = r.stderr.trimEnd().split('\n');
    t.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    t.match(lines[0], first, `${args.join(' ')}: the error line`);
    t.match(lines[1], /^Usage: nmdump/, `${args.join(' ')}: then the usage`);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    t.equal(r.stdout.length, 0, 'nothing on stdout');
  }
});

t.test('missing files and bad filters: exactly one line, exit 1', async (t) => {
  const cases: [string[], RegExp][] = [
    [['-r', '/nonexistent/trace.pcap'], /^nmdump: cannot open \/nonexistent\/trace\.pcap/],
    [['-r', DNS_TCP, 'tcp', 'port'], /^nmdump: invalid filter "tcp port"/],
    [['-r', DNS_TCP, 'nosuchproto'], /^nmdump: invalid filter "nosuchproto"/],
    [['-r', DNS_TCP, '-w', '/nonexistent/out.pcap'], /^nmdump: cannot create \/nonexistent\/out\.pcap/],
    [['-r', path.join(CORPUS, 'LICENSE')], /^nmdump: .*(magic|capture file)/i],
  ];
  for (const [args, expected] of cases) {
    const r = await runNmdump(args);
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('reading from file'));
    t.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    t.equal(lines.length, 1, `${args.join(' ')}: one line`);
    t.match(lines[0], expected);
  }
});

t.test('errors in command-line terms: `nmdump -D`, not findAllDevs()', async (t) => {
  if (!isRoot()) {
    if (process.env.CI === 'true') t.fail('needs root (opening a device); CI=true runs as root');
    return;
  }
  const r = await runNmdump(['-i', 'nmpnosuch0', '-c', '1']);
  t.equal(r.code, 1, 'exit 1, as tcpdump');
  t.match(r.stderr, /^nmdump: no such device "nmpnosuch0": list devices with `nmdump -D` or `ip link`\n$/);
  t.notMatch(r.stderr, /findAllDevs/);
  t.equal(cliMessage('x (option txWaitMs) after 3 frames; await session.send() waits for room without blocking'),
    'x after 3 frames; lower the rate (--pps, --mbps) or check the link');
});

t.test('-h prints the usage and exits 0', async (t) => {
  const r = await runNmdump(['-h']);
  t.equal(r.code, 0);
  t.match(r.stdout.toString(), /^Usage: nmdump/);
});

t.test('-r FILE -w FILE and -r - -w -: files tcpdump reads, with every packet', async (t) => {
  if (!haveTcpdump()) return t.plan(0, 'skip: tcpdump is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const want = tcpdumpCount(DNS_TCP).count;
  for (const extra of [[], ['--pcapng'], ['--time-stamp-precision=nano']]) {
    const out = path.join(dir, `copy${extra.join('')}.pcap`);
    const r = await runNmdump(['-r', DNS_TCP, '-w', out, ...extra]);
    t.equal(r.code, 0, `${extra.join(' ')}: exit 0`);
    t.same(tcpdumpCount(out), { count: want, stderr: '' }, `${extra.join(' ')}: tcpdump reads all ${want}`);
    const a = execFileSync('tcpdump', ['-n', '-tt', '-r', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const b = execFileSync('tcpdump', ['-n', '-tt', '-r', DNS_TCP], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    t.equal(a, b, `${extra.join(' ')}: the same packets, times included`);
  }
  // Through pipes on both sides, with a filter and a count.
  const r = await runNmdump(['-r', '-', '-w', '-', '-c', '3', 'tcp[tcpflags] & tcp-push != 0'], { stdin: readFileSync(DNS_TCP) });
  t.equal(r.code, 0);
  const piped = execFileSync('tcpdump', ['-n', '-r', '-'], { input: r.stdout, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  const direct = execFileSync('tcpdump', ['-n', '-c', '3', '-r', DNS_TCP, 'tcp[tcpflags] & tcp-push != 0'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  t.equal(piped, direct, 'the same packets as tcpdump selects');
});

t.test('-C / -W rotation: the files tcpdump makes, with the same packets', async (t) => {
  if (!haveTcpdump()) return t.plan(0, 'skip: tcpdump is not installed');
  // tcpdump 4.99's -C counts millions of bytes: a 3.6 MB source file makes four.
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-src-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const source = path.join(dir, 'big.pcap');
  const dumper = dumpOpen(openDead(1), source);
  for (let i = 0; i < 2500; i++) dumper.dump(udpFrame(9, 1400), { tsSec: 1_700_000_000 + i, tsNsec: 0, len: 1442 });
  await dumper.close();
  for (const flags of [['-C', '1'], ['-C', '1', '-W', '3'], ['-C', '1', '-W', '12'], ['-C', '1', '-W', '1']]) {
    const ours = mkdtempSync(path.join(tmpdir(), 'nmdump-rot-'));
    const theirs = mkdtempSync(path.join(tmpdir(), 'tcpdump-rot-'));
    t.teardown(() => {
      rmSync(ours, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
    });
    const r = await runNmdump(['-r', source, '-w', path.join(ours, 'ring.pcap'), ...flags]);
    t.equal(r.code, 0);
    execFileSync('tcpdump', [...AS_ROOT, '-r', source, '-w', path.join(theirs, 'ring.pcap'), ...flags], { stdio: 'ignore' });
    const names = readdirSync(theirs).sort();
    t.ok(names.length > 1 || flags.includes('1'), `${flags.join(' ')}: tcpdump rotated (${names.join(' ')})`);
    t.same(readdirSync(ours).sort(), names, `${flags.join(' ')}: the same file names`);
    for (const name of names) {
      t.equal(tcpdumpCount(path.join(ours, name)).count, tcpdumpCount(path.join(theirs, name)).count,
        `${flags.join(' ')}: ${name} holds as many packets as tcpdump's`);
    }
  }
});

t.test('-G names go through strftime, as tcpdump names them', async (t) => {
  if (!haveTcpdump()) return t.plan(0, 'skip: tcpdump is not installed');
  for (const flags of [['-G', '3600'], ['-G', '3600', '-C', '1'], ['-G', '3600', '-W', '2']]) {
    const ours = mkdtempSync(path.join(tmpdir(), 'nmdump-g-'));
    const theirs = mkdtempSync(path.join(tmpdir(), 'tcpdump-g-'));
    t.teardown(() => {
      rmSync(ours, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
    });
    const pattern = 'cap-%Y-%m-%d_%H.pcap';
    await runNmdump(['-r', DNS_TCP, '-w', path.join(ours, pattern), ...flags]);
    execFileSync('tcpdump', [...AS_ROOT, '-r', DNS_TCP, '-w', path.join(theirs, pattern), ...flags], { stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } });
    t.same(readdirSync(ours).sort(), readdirSync(theirs).sort(), `${flags.join(' ')}: same names`);
  }
});

t.test('rotation naming rules', async (t) => {
  t.equal(fileNumberWidth(undefined), 0);
  t.equal(fileNumberWidth(1), 0);
  t.equal(fileNumberWidth(10), 1);
  t.equal(fileNumberWidth(11), 2);
  const when = new Date(2026, 10, 25, 13, 5, 9);
  t.equal(strftime('%Y%m%d-%H%M%S %j %%', when), '20261125-130509 329 %');
  t.equal(rotatedName({ base: 'x', bySize: true, byTime: false }, 0, when), 'x');
  t.equal(rotatedName({ base: 'x', bySize: true, byTime: false }, 2, when), 'x2');
  t.equal(rotatedName({ base: 'x', bySize: true, byTime: false, fileCount: 100 }, 0, when), 'x00');
  t.equal(rotatedName({ base: '%H-x', bySize: false, byTime: true, fileCount: 5 }, 0, when), '13-x');
});

t.test('-F reads the filter from a file, # comments dropped', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nmdump-f-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'filter');
  writeFileSync(file, '# only the handshake\ntcp[tcpflags] & tcp-syn != 0\n');
  const r = await runNmdump(['-r', DNS_TCP, '-F', file, '-t']);
  t.equal(r.code, 0);
  t.equal(r.stdout.toString().trimEnd().split('\n').length, 2, 'SYN and SYN-ACK');
  const both = await runNmdump(['-r', DNS_TCP, '-F', file, 'tcp']);
  t.equal(both.code, 1, '-F and an expression conflict');
});
