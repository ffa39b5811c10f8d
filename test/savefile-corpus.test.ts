/**
 * The tcpdump project's 830 test captures (../shared/corpus/tcpdump-tests):
 * every file parses to its end or fails with a PcapError (ETRUNC/EBADFILE),
 * never another exception; and what we read equals what libpcap reads,
 * taken from `tcpdump -r FILE --time-stamp-precision=nano -w -` (libpcap's
 * view of each packet, rewritten as a plain nanosecond pcap): packet count,
 * bytes, caplen (cut to the snaplen as libpcap cuts it), len, link type,
 * timestamps.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { PcapError } from '../lib/errors';
import { have, readAll } from './fixtures/savefile/util';

const dir = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');

/**
 * Files whose ts_usec is 1,000,000 or more. libpcap passes that through and
 * its µs→ns scaling wraps in 32 bits; we carry the excess into the seconds
 * (so tsNsec < 1e9 always). Everything but the timestamp is compared.
 */
const BAD_USEC = new Set([
  'atm-oam-loopback-print-overrun.pcap', 'rx_serviceid_oobr.pcap', 'timestamp_invalid_micro.pcap',
]);

if (!existsSync(dir)) {
  if (process.env.CI === 'true') t.fail(`corpus not found at ${dir}`);
  else t.plan(0, `corpus not found at ${dir}`);
} else {
  const files = readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();
  let parsed = 0;
  let failed = 0;
  const differ: string[] = [];

  t.test('every file parses or fails with ETRUNC/EBADFILE', async (t) => {
    t.ok(files.length >= 800, `${files.length} captures`);
    for (const name of files) {
      const bytes = readFileSync(path.join(dir, name));
      let whole;
      try {
        whole = readAll(bytes);
        // A 2 KiB window that grows only when a record needs it: the same result.
        const windowed = readAll(bytes, 2048);
        if (windowed.packets.length !== whole.packets.length || String(windowed.error) !== String(whole.error)) {
          t.fail(`${name}: windowed read differs`);
        }
      } catch (e) {
        t.fail(`${name}: threw a non-PcapError: ${(e as Error).stack}`);
        continue;
      }
      if (whole.error) {
        failed++;
        t.ok(whole.error instanceof PcapError && ['ETRUNC', 'EBADFILE'].includes(whole.error.code),
          `${name}: ${whole.error.code} ${whole.error.message}`);
      } else {
        parsed++;
      }
    }
    t.comment(`${parsed} parse to the end, ${failed} fail with a PcapError`);
    // Debian's tcpdump reads every one of them to the end, so should we.
    t.equal(failed, 0, 'no corpus file fails');
  });

  t.test('same packets as libpcap (tcpdump -w)', { skip: !have('tcpdump') && 'tcpdump not installed' }, async (t) => {
    for (const name of files) {
      const file = path.join(dir, name);
      const ours = readAll(readFileSync(file));
      const out = spawnSync('tcpdump', ['-r', file, '--time-stamp-precision=nano', '-w', '-'],
        { maxBuffer: 1 << 28 });
      const ref = readAll(out.stdout);
      const problems: string[] = [];
      if (ref.error) problems.push(`tcpdump's copy: ${ref.error.message}`);
      if (ours.packets.length !== ref.packets.length) {
        problems.push(`${ours.packets.length} packets, libpcap ${ref.packets.length}`);
      }
      const n = Math.min(ours.packets.length, ref.packets.length);
      for (let i = 0; i < n && problems.length === 0; i++) {
        const g = ours.packets[i];
        const w = ref.packets[i];
        if (!g.data.equals(w.data) || g.caplen !== w.caplen || g.len !== w.len || g.linktype !== w.linktype) {
          problems.push(`packet ${i}: caplen/len/linktype ${g.caplen}/${g.len}/${g.linktype}, ` +
            `libpcap ${w.caplen}/${w.len}/${w.linktype}, bytes ${g.data.equals(w.data) ? 'equal' : 'differ'}`);
        } else if (!BAD_USEC.has(name) && (g.tsSec % 2 ** 32 !== w.tsSec || g.tsNsec !== w.tsNsec)) {
          // mod 2^32: pcapng seconds past 2106 do not fit the pcap copy.
          problems.push(`packet ${i}: ts ${g.tsSec}.${g.tsNsec}, libpcap ${w.tsSec}.${w.tsNsec}`);
        }
      }
      if (problems.length) differ.push(`${name}: ${problems.join('; ')}`);
    }
    t.same(differ, [], `all ${files.length} files read as libpcap reads them`);
  });
}
