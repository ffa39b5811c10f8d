// nmsend's command line without a port: parseOptions' configurations and
// refusals, and the CLI's exit codes and one-line messages for mistakes it
// catches before opening anything (no root needed). Errors that need a
// real port are in test/cli-nmsend.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseOptions } from '../bin/nmsend/options';
import { UsageError } from '../bin/nmsend/usage-error';
import { repoRoot } from './helpers/child';
import { nmsend } from './helpers/nmsend';

function usageError(argv: string[]): string {
  try {
    parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

t.test('replay configurations', async (t) => {
  t.match(parseOptions(['-i', 'eth0', 'a.pcap']),
    { mode: 'replay', iface: 'eth0', files: ['a.pcap'], loops: 1, pacing: { kind: 'multiplier', factor: 1 },
      maxFrames: Infinity, maxSeconds: Infinity }, 'default: the captured timing');
  t.match(parseOptions(['-i', 'eth0', '--pps', '20000', 'a', 'b']), { files: ['a', 'b'], pacing: { kind: 'pps', pps: 20000 } });
  t.match(parseOptions(['-i', 'eth0', '--mbps', '2.5', 'a']), { pacing: { kind: 'mbps', mbps: 2.5 } });
  t.match(parseOptions(['-i', 'eth0', '--multiplier', '0.5', 'a']), { pacing: { kind: 'multiplier', factor: 0.5 } });
  t.match(parseOptions(['--interface', 'eth0', '--topspeed', '--loop', '0', '--limit', '7', '--duration', '1.5', 'a']),
    { pacing: { kind: 'topspeed' }, loops: Infinity, maxFrames: 7, maxSeconds: 1.5 });
  t.same(parseOptions(['-h']), { mode: 'help' });
  t.same(parseOptions(['--version']), { mode: 'version' });
});

t.test('--version names the package version and libpcap, for both tools', async (t) => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const tool of ['nmsend', 'nmdump']) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'bin', `${tool}.js`), '--version'], { encoding: 'utf8' });
    t.equal(r.status, 0, `${tool} --version exits 0`);
    t.equal(r.stdout.split('\n')[0], `${tool} (netmap-pcap ${version})`);
    t.match(r.stdout, /libpcap version \d/);
  }
});

t.test('generate configurations', async (t) => {
  const g = parseOptions(['-i', 'va', '--generate']);
  t.match(g, { mode: 'generate', proto: 'udp', size: { first: 60, last: 60 }, pacing: { kind: 'topspeed' },
    maxFrames: Infinity, srcPort: { first: 1234, last: 1234 }, dstPort: { first: 4321, last: 4321 }, seq: false });
  t.match(g, { srcIp: { first: 0xc6120001 }, dstIp: { first: 0xc6130001, last: 0xc6130001 } }, '198.18.0.1 -> 198.19.0.1');
  t.same((g as { dstMac: Uint8Array }).dstMac, Uint8Array.from([255, 255, 255, 255, 255, 255]));
  t.match(parseOptions(['-i', 'va', '--generate', '--seq']), { size: { first: 62 } }, '--seq: the stamp fits by default');
  t.match(parseOptions(['-i', 'va', '--generate', '--proto', 'tcp-syn', '--seq']), { size: { first: 74 } });
  t.match(parseOptions(['-i', 'va', '--generate', '--count', '5', '--rate', '100', '--size', '64-1500',
    '--src-ip', '198.18.0.1-198.18.0.10', '--dst-ip', '198.18.255.0-198.19.0.255', '--src-port', '1-9', '--proto', 'icmp',
    '--src-mac', '02:00:00:00:00:0a', '--dst-mac', '02:00:00:00:00:0b']),
  { maxFrames: 5, pacing: { kind: 'pps', pps: 100 }, size: { first: 64, last: 1500 }, proto: 'icmp',
    srcIp: { first: 0xc6120001, last: 0xc612000a }, srcPort: { first: 1, last: 9 } });
  t.match(parseOptions(['-i', 'va', '--generate', '--dst-ip', '192.0.2.1', '--allow-any-dst']), { dstIp: { first: 0xc0000201 } });
});

t.test('mistakes', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['-i', 'eth0', '--bogus', 'a'], /^unknown option --bogus$/],
    [['-i'], /^-i.*needs a value|--interface needs a value/],
    [['a.pcap'], /-i IF is required/],
    [['-i', 'eth0'], /give the files to replay, or --generate/],
    [['-i', 'eth0', '-'], /not standard input/],
    [['-i', 'eth0', '--pps', '10', '--topspeed', 'a'], /--pps and --topspeed conflict/],
    [['-i', 'eth0', '--pps', '10', '--mbps', '3', 'a'], /conflict/],
    [['-i', 'eth0', '--pps', '-3', 'a'], /^--pps needs a value/],
    [['-i', 'eth0', '--pps=-3', 'a'], /--pps takes a positive number/],
    [['-i', 'eth0', '--pps', '0', 'a'], /--pps takes a positive number/],
    [['-i', 'eth0', '--loop', '1.5', 'a'], /--loop takes an integer >= 0/],
    [['-i', 'eth0', '--limit', '0', 'a'], /--limit takes an integer >= 1/],
    [['-i', 'eth0', '--count', '5', 'a'], /--count needs --generate/],
    [['-i', 'eth0', '--generate', '--pps', '5'], /--pps is a replay option; with --generate use --count, --rate/],
    [['-i', 'eth0', '--generate', 'a.pcap'], /--generate takes no files/],
    [['-i', 'eth0', '--generate', '--proto', 'sctp'], /--proto takes udp, tcp-syn, icmp/],
    [['-i', 'eth0', '--generate', '--size', '41'], /a udp frame needs at least 42 bytes/],
    [['-i', 'eth0', '--generate', '--size', '61', '--seq'], /with --seq needs at least 62 bytes/],
    [['-i', 'eth0', '--generate', '--size', '100-60'], /--size takes integers/],
    [['-i', 'eth0', '--generate', '--size', '60-'], /--size takes a value or a range/],
    [['-i', 'eth0', '--generate', '--src-port', '70000'], /--src-port takes integers from 0 to 65535/],
    [['-i', 'eth0', '--generate', '--dst-ip', '10.0.0.1'], /outside 198\.18\.0\.0\/15.*--allow-any-dst/],
    [['-i', 'eth0', '--generate', '--dst-ip', '198.19.255.255-198.20.0.0'], /outside 198\.18\.0\.0\/15/],
    [['-i', 'eth0', '--generate', '--dst-ip', '198.18.0.9-198.18.0.1'], /ends before it starts/],
    [['-i', 'eth0', '--generate', '--src-ip', '1.2.3'], /--src-ip: "1\.2\.3" is not an IPv4 address/],
    [['-i', 'eth0', '--generate', '--dst-mac', 'zz'], /--dst-mac: "zz" is not a MAC address/],
  ];
  for (const [argv, re] of cases) t.match(usageError(argv), re, argv.join(' '));
});

t.test('the CLI: mistakes exit 1 with one line, then the usage; no stack traces', async (t) => {
  const bad = await nmsend(null, ['-i', 'lo', '--pps', '5', '--topspeed', 'x.pcap']);
  t.equal(bad.code, 1);
  const lines = bad.stderr.split('\n');
  t.equal(lines[0], 'nmsend: --pps and --topspeed conflict: give one rate');
  t.match(lines[1], /^usage: nmsend -i IF/);
  t.notMatch(bad.stderr, /\n\s+at /);

  const missing = await nmsend(null, ['-i', 'lo', '/nonexistent/trace.pcap']);
  t.equal(missing.code, 1);
  t.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  t.match(missing.stderr, /^nmsend: .*\/nonexistent\/trace\.pcap/);

  const notPcap = await nmsend(null, ['-i', 'lo', join(repoRoot, 'package.json')]);
  t.equal(notPcap.code, 1);
  t.equal(notPcap.stderr.trim().split('\n').length, 1, notPcap.stderr);

  // A capture of another link type: refused before anything is opened.
  const cooked = join(t.testdir(), 'sll.pcap');
  const { dumpOpen } = await import('../index');
  const d = dumpOpen({ linktype: 113 }, cooked);
  d.dump(Buffer.alloc(40), { tsSec: 1, tsNsec: 0, len: 40 });
  await d.close();
  const sll = await nmsend(null, ['-i', 'lo', cooked]);
  t.equal(sll.code, 1);
  t.match(sll.stderr, /^nmsend: .*LINUX_SLL.*Ethernet/);

  const help = await nmsend(null, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: nmsend/);
  t.match(help.stdout, /examples:/);
});

t.test('the installed binary keeps its shebang', async (t) => {
  const built = join(repoRoot, 'dist', 'bin', 'nmsend.js');
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  t.equal(pkg.bin?.nmsend, 'dist/bin/nmsend.js');
  if (!existsSync(built)) {
    if (process.env.CI === 'true') t.fail('dist/bin/nmsend.js missing: run npm run build first');
    else t.comment('skip: dist/ not built (npm run build)');
    return;
  }
  t.match(readFileSync(built, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});
