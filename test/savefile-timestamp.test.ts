/**
 * pcapng tick counts → seconds + nanoseconds, exactly as libpcap computes
 * them (sec = t / units + offset, ns = (t % units) scaled, truncating),
 * checked against BigInt arithmetic over random and edge 64-bit values.
 */
import t from 'tap';
import { TickConverter, toTicks } from '../lib/savefile/timestamp';
import { prng } from './fixtures/savefile/util';

const rnd = prng(42);
const u32 = (): number => Math.floor(rnd() * 2 ** 32);

function reference(hi: number, lo: number, units: bigint, offset: number): [number, number] {
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  return [Number(ticks / units) + offset, Number(((ticks % units) * 1_000_000_000n) / units)];
}

t.test('TickConverter equals BigInt arithmetic', async (t) => {
  const resolutions: [number, boolean][] = [
    ...[0, 1, 3, 6, 7, 9, 10, 11, 12, 15, 19].map((k): [number, boolean] => [Number(`1e${k}`), false]),
    ...[0, 1, 10, 20, 24, 30, 32, 36, 37, 40, 63].map((k): [number, boolean] => [2 ** k, true]),
  ];
  const edges = [[0, 0], [0, 1], [0, 0xffffffff], [1, 0], [0x1fffff, 0xffffffff], [0x200000, 0],
    [0xffffffff, 0xffffffff], [0x17a2b1fe, 0x12345678], [395812, 1e9 - 1]];
  let bad = 0;
  for (const [units, binary] of resolutions) {
    for (const offset of [0, 1000, -5]) {
      const c = new TickConverter(units, binary, offset);
      const values = [...edges, ...Array.from({ length: 2000 }, () => [rnd() < 0.3 ? u32() % 0x400000 : u32(), u32()])];
      for (const [hi, lo] of values) {
        c.convert(hi, lo);
        const [sec, nsec] = reference(hi, lo, BigInt(units), offset);
        // Seconds beyond 2^53 cannot be exact doubles on either side; compare approximately there.
        const secOk = Math.abs(sec) < 2 ** 53 ? c.sec === sec : Math.abs(c.sec - sec) / Math.abs(sec) < 1e-12;
        if (!secOk || c.nsec !== nsec) {
          if (bad++ < 5) t.fail(`units ${units} hi ${hi} lo ${lo}`, { got: [c.sec, c.nsec], want: [sec, nsec] });
        }
      }
    }
  }
  t.equal(bad, 0, 'all conversions exact');
});

t.test('toTicks inverts convert for µs and ns', async (t) => {
  const out = new Uint32Array(2);
  let bad = 0;
  for (const units of [1e6, 1e9]) {
    const c = new TickConverter(units, false, 0);
    for (let i = 0; i < 5000; i++) {
      const sec = i < 3 ? [0, 2 ** 32 - 1, 2 ** 33 + 5][i] : u32();
      const nsec = Math.floor(rnd() * 1e9);
      toTicks(sec, nsec, units, out);
      c.convert(out[0], out[1]);
      const want = units === 1e9 ? nsec : Math.floor(nsec / 1000) * 1000;
      if (c.sec !== sec || c.nsec !== want) if (bad++ < 5) t.fail(`${units} ${sec}.${nsec}`, { got: [c.sec, c.nsec] });
    }
  }
  t.equal(bad, 0, 'round trips exact');
});
