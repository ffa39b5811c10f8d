/**
 * The address formatters against independent references, over many random
 * addresses (so the formatted-address caches see collisions and evictions).
 */
import t from 'tap';
import { formatHex, formatIPv4, formatIPv6, formatMac } from '../index';
import { prng } from './fixtures/savefile/util';

const rnd = prng(42);
const byte = (): number => Math.floor(rnd() * 256);

t.test('formatIPv4 and formatMac agree with a plain reference, hit or miss', async (t) => {
  const bad: string[] = [];
  // A small pool reused many times (cache hits) plus fresh ones (misses, collisions).
  const pool = Array.from({ length: 3000 }, () => [byte(), byte(), byte(), byte(), byte(), byte()]);
  for (let n = 0; n < 100_000; n++) {
    const b = n % 2 ? pool[n % pool.length] : [byte(), byte(), byte(), byte(), byte(), byte()];
    const ip = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    const ipRef = b.slice(0, 4).join('.');
    if (formatIPv4(ip) !== ipRef || formatIPv4(ip | 0) !== ipRef) bad.push(`ipv4 ${ipRef}`);
    const mac = ((b[0] << 8) | b[1]) * 2 ** 32 + (((b[2] << 24) | (b[3] << 16) | (b[4] << 8) | b[5]) >>> 0);
    const macRef = b.map((x) => x.toString(16).padStart(2, '0')).join(':');
    if (formatMac(mac) !== macRef) bad.push(`mac ${macRef}: ${formatMac(mac)}`);
    if (bad.length > 10) break;
  }
  t.same(bad, []);
  t.equal(formatHex(Uint8Array.from([0, 0xab, 0x10])), '00:ab:10');
});

t.test('formatIPv6: RFC 5952 text, checked against the WHATWG URL serialiser', async (t) => {
  const bad: string[] = [];
  for (let n = 0; n < 20_000; n++) {
    const b = new Uint8Array(16);
    // Mostly zero groups, so the "::" choice gets exercised.
    for (let g = 0; g < 8; g++) if (rnd() < 0.4) { b[2 * g] = byte() & (rnd() < 0.5 ? 0 : 255); b[2 * g + 1] = byte(); }
    const ours = formatIPv6(b);
    const isMapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    if (isMapped) continue;
    const hex = Array.from({ length: 8 }, (_, g) => ((b[2 * g] << 8) | b[2 * g + 1]).toString(16)).join(':');
    const ref = new URL(`http://[${hex}]/`).hostname.slice(1, -1);
    if (ours !== ref) bad.push(`${hex}: ours ${ours}, URL ${ref}`);
    if (bad.length > 10) break;
  }
  t.same(bad, []);
  t.equal(formatIPv6(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 1])), '::ffff:198.18.0.1');
  t.equal(formatIPv6(new Uint8Array(16)), '::');
  t.equal(formatIPv6(Uint8Array.from([0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])), '2001:db8:0:1::1');
});
