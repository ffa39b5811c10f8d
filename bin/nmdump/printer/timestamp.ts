/**
 * The timestamp that starts every line, in tcpdump's five formats:
 *   (none)  14:03:07.123456         local time of day
 *   -t      (no timestamp)
 *   -tt     1700000000.123456       seconds since the epoch
 *   -ttt     00:00:00.001234        since the previous packet (UTC clock of the delta)
 *   -tttt   2026-11-25 14:03:07.123456   local date and time
 *   -ttttt   00:00:01.001234        since the first packet
 * Fractions have 6 digits, 9 with --time-stamp-precision=nano. tcpdump
 * prints "[Error converting time]" for seconds with the top bit set.
 */

const two = (n: number): string => (n < 10 ? '0' : '') + n;

export class TimestampFormat {
  readonly #mode: number;
  readonly #nano: boolean;
  /** Reference for -ttt / -ttttt: seconds and fraction in the printed unit. */
  #refSec = 0;
  #refFrac = 0;
  #haveRef = false;

  /**
   * @param mode number of -t flags (0 to 5)
   * @param nano print nanoseconds
   */
  constructor(mode: number, nano: boolean) {
    this.#mode = mode;
    this.#nano = nano;
  }

  /** The prefix for a packet, its trailing space included ('' for -t). */
  format(tsSec: number, tsNsec: number): string {
    const frac = this.#nano ? tsNsec : Math.floor(tsNsec / 1000);
    switch (this.#mode) {
      case 1: return '';
      case 2: return tsSec >= 0x80000000 ? '[Error converting time] ' : `${tsSec}${this.#frac(frac)} `;
      case 3:
      case 5: return this.#relative(tsSec, frac);
      case 4: return this.#clock(tsSec, frac, true);
      default: return this.#clock(tsSec, frac, false);
    }
  }

  #frac(frac: number): string {
    return '.' + String(frac).padStart(this.#nano ? 9 : 6, '0');
  }

  #clock(sec: number, frac: number, withDate: boolean): string {
    if (sec >= 0x80000000) return '[Error converting time] ';
    const d = new Date(sec * 1000);
    const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${this.#frac(frac)} `;
    return withDate ? `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}` : time;
  }

  #relative(sec: number, frac: number): string {
    if (!this.#haveRef) {
      this.#refSec = sec;
      this.#refFrac = frac;
      this.#haveRef = true;
    }
    const unit = this.#nano ? 1e9 : 1e6;
    const negative = sec < this.#refSec || (sec === this.#refSec && frac < this.#refFrac);
    let dSec = negative ? this.#refSec - sec : sec - this.#refSec;
    let dFrac = negative ? this.#refFrac - frac : frac - this.#refFrac;
    if (dFrac < 0) {
      dFrac += unit;
      dSec--;
    }
    if (this.#mode === 3) {
      this.#refSec = sec;
      this.#refFrac = frac;
    }
    // The delta is printed as a UTC time of day: days wrap, as in tcpdump.
    const s = dSec % 86400;
    const clock = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
    return `${negative ? '-' : ' '}${clock}${this.#frac(dFrac)} `;
  }
}
