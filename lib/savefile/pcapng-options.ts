/**
 * pcapng options as the writer builds them: a list of (code, value) pairs,
 * each written as code (16 bits), length (16 bits) and the value padded to
 * 32 bits, closed by opt_endofopt. Used for the blocks written once per
 * file or interface (SHB, IDB, ISB); packet blocks write their few options
 * inline (dumper.ts), so the hot path allocates nothing.
 */
import { check } from '../errors';

/** Longest option value the format can hold (its length field is 16 bits). */
const MAX_OPTION = 0xffff;

export class OptionList {
  readonly #items: { code: number; value: Buffer }[] = [];

  /** A UTF-8 string option (if_name, opt_comment, shb_os, ...); skipped when undefined. */
  string(code: number, text: string | undefined, what: string): this {
    if (text === undefined) return this;
    check(typeof text === 'string', `${what} must be a string`);
    return this.bytes(code, Buffer.from(text, 'utf8'), what);
  }

  /** An 8-bit option (if_tsresol). */
  u8(code: number, v: number): this {
    return this.bytes(code, Buffer.of(v), 'option');
  }

  /** A 64-bit unsigned option (isb_ifrecv, ...), little endian; skipped when undefined. */
  u64(code: number, v: number | bigint | undefined, what: string): this {
    if (v === undefined) return this;
    const big = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v) : -1n;
    check(big >= 0n && big < 1n << 64n, `${what} must be a non-negative integer, not ${String(v)}`);
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(big);
    return this.bytes(code, b, what);
  }

  /** A timestamp option (isb_starttime, isb_endtime): ticks as high and low 32-bit words. */
  ticks(code: number, hi: number, lo: number): this {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(hi >>> 0, 0);
    b.writeUInt32LE(lo >>> 0, 4);
    return this.bytes(code, b, 'timestamp');
  }

  bytes(code: number, value: Buffer, what: string): this {
    check(value.length <= MAX_OPTION, `${what} is ${value.length} bytes; a pcapng option holds at most ${MAX_OPTION}`);
    this.#items.push({ code, value });
    return this;
  }

  /** Bytes the options take, opt_endofopt included (0 when there are none: the end marker may be left out). */
  get size(): number {
    if (this.#items.length === 0) return 0;
    let n = 4;
    for (const { value } of this.#items) n += 4 + ((value.length + 3) & ~3);
    return n;
  }

  /** Write them at buf[at…at + size), padding zeroed. */
  writeTo(buf: Buffer, at: number): void {
    if (this.#items.length === 0) return;
    let o = at;
    for (const { code, value } of this.#items) {
      const padded = (value.length + 3) & ~3;
      buf.writeUInt16LE(code, o);
      buf.writeUInt16LE(value.length, o + 2);
      buf.set(value, o + 4);
      buf.fill(0, o + 4 + value.length, o + 4 + padded);
      o += 4 + padded;
    }
    buf.writeUInt32LE(0, o); // opt_endofopt
  }
}
