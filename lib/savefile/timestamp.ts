/**
 * pcapng timestamps: a 64-bit count of 1/`units` second ticks, split into
 * high and low 32-bit words, turned into seconds + nanoseconds exactly, the
 * way libpcap does (sec = t / units + tsoffset, frac = t % units, frac scaled
 * to ns), without allocating per packet.
 *
 * A double holds integers exactly only below 2^53, and nanosecond tick
 * counts of today (~1.7e18) are above that. For units between 2^13 and
 * 2^32/3 (µs … ns) a floating-point estimate of the quotient is corrected
 * with exact 32-bit arithmetic; other decimal units use long division in
 * 16-bit limbs (every partial value stays below units * 2^16, exact while
 * units < 2^37). Only exotic resolutions (10^12 and finer, 2^37 and finer)
 * and binary fractions take a BigInt path.
 */

const TWO32 = 4294967296;
const LIMB_LIMIT = 2 ** 37;

export class TickConverter {
  /** Result of the last convert(): seconds. */
  sec = 0;
  /** Result of the last convert(): nanoseconds, 0 ≤ nsec < 1e9. */
  nsec = 0;

  private readonly units: number;
  private readonly offset: number;
  /** frac * mul / div gives ns; set for decimal resolutions only. */
  private readonly mul: number;
  private readonly div: number;
  private readonly slow: boolean;
  /** Whether the float-estimate path is exact for these units (see convert). */
  private readonly estimate: boolean;

  /**
   * @param units ticks per second (10^k or 2^k), ≥ 1
   * @param binary whether units is a power of 2 (needs the BigInt scaling)
   * @param offset seconds to add (if_tsoffset)
   */
  constructor(units: number, binary: boolean, offset: number) {
    this.units = units;
    this.offset = offset;
    this.slow = binary || units >= LIMB_LIMIT;
    this.estimate = !binary && units >= 8192 && units * 3 < TWO32;
    this.mul = units <= 1e9 ? 1e9 / units : 1;
    this.div = units <= 1e9 ? 1 : units / 1e9;
  }

  /** Convert the tick count hi * 2^32 + lo (both uint32). */
  convert(hi: number, lo: number): void {
    if (this.slow) {
      this.convertBig(hi, lo);
      return;
    }
    const units = this.units;
    let q: number;
    let r: number;
    if (hi < 0x200000) {
      // t < 2^53: one exact double, one division with a fix-up for rounding.
      const t = hi * TWO32 + lo;
      q = Math.floor(t / units);
      r = t - q * units;
    } else if (this.estimate) {
      // Estimate the quotient in floating point (off by at most one, as
      // units ≥ 2^13 dwarfs the rounding), then get the remainder exactly
      // from the low 32 bits: t - q * units ≡ lo - imul(q, units) (mod 2^32),
      // and the true remainder lies in (-units, 2 * units), a range that
      // 2^32 tells apart since 3 * units < 2^32.
      q = Math.floor((hi * TWO32 + lo) / units);
      r = (lo - Math.imul(q, units)) >>> 0;
      if (r >= TWO32 - units) r -= TWO32;
    } else {
      q = 0;
      r = 0;
      r = r * 65536 + (hi >>> 16);
      let d = Math.floor(r / units); r -= d * units; q = q * 65536 + d;
      r = r * 65536 + (hi & 0xffff);
      d = Math.floor(r / units); r -= d * units; q = q * 65536 + d;
      r = r * 65536 + (lo >>> 16);
      d = Math.floor(r / units); r -= d * units; q = q * 65536 + d;
      r = r * 65536 + (lo & 0xffff);
      d = Math.floor(r / units); r -= d * units; q = q * 65536 + d;
    }
    // Floating division may round a quotient just below an integer up.
    if (r < 0) { q -= 1; r += units; } else if (r >= units) { q += 1; r -= units; }
    this.sec = q + this.offset;
    this.nsec = this.div === 1 ? r * this.mul : Math.floor(r / this.div);
  }

  private convertBig(hi: number, lo: number): void {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const units = BigInt(this.units);
    this.sec = Number(t / units) + this.offset;
    this.nsec = Number(((t % units) * 1000000000n) / units);
  }
}

/**
 * Seconds + nanoseconds → 64-bit tick count in 1/units s, as [hi, lo] in
 * `out`. Fast and exact for sec < 2^32 and units ≤ 1e9 (the writer's
 * cases); other values go through BigInt, wrapping at 2^64 ticks.
 */
export function toTicks(sec: number, nsec: number, units: number, out: Uint32Array): void {
  const frac = units === 1e9 ? nsec : Math.floor(nsec / (1e9 / units));
  if (sec < TWO32 && units <= 1e9) {
    const sh = Math.floor(sec / 65536);
    const sl = sec - sh * 65536;
    const a = sl * units + frac; // < 2^47
    const b = sh * units; // < 2^46
    const bHi = Math.floor(b / 65536);
    const c = (b - bHi * 65536) * 65536 + a; // < 2^48
    const cHi = Math.floor(c / TWO32);
    out[0] = bHi + cHi;
    out[1] = c - cHi * TWO32;
    return;
  }
  const t = BigInt(sec) * BigInt(units) + BigInt(frac);
  out[0] = Number((t >> 32n) & 0xffffffffn);
  out[1] = Number(t & 0xffffffffn);
}
