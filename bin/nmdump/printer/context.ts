/** What every protocol printer gets: the flags, the packet, its layers, and state kept across packets. */
import type { Layer, StartProtocol } from '../../../index';
import type { NmdumpOptions } from '../options';
import type { TcpSeqTracker } from './tcp-seq';

export interface PrintContext {
  readonly o: NmdumpOptions;
  /** The captured bytes. */
  readonly bytes: Uint8Array;
  /** The packet's length on the wire. */
  readonly wireLength: number;
  readonly layers: readonly Layer[];
  readonly tcpSeq: TcpSeqTracker;
  /**
   * The packet carried inside this one (a tunnel's payload, an ICMP
   * error's quote), decoded from `start` at byte `offset` (to `end`) and
   * printed as tcpdump prints it there.
   */
  readonly inner: (start: StartProtocol, offset: number, end?: number) => string;
}

/** The layer at `i` if it is of `kind`. */
export function layerAt<K extends Layer['kind']>(c: PrintContext, i: number, kind: K): Extract<Layer, { kind: K }> | undefined {
  const l = c.layers[i];
  return l?.kind === kind ? (l as Extract<Layer, { kind: K }>) : undefined;
}

/** The index of the layer of `kind` that starts at byte `offset` (-1: none). */
export function layerIndexAt(c: PrintContext, offset: number, kind: Layer['kind']): number {
  return c.layers.findIndex((l) => l.offset === offset && l.kind === kind);
}

/**
 * A field past the captured bytes: tcpdump ends the protocol's text with
 * " [|name]" there. Printers that read bytes themselves throw it from
 * {@link need} and {@link catchTrunc} turns it into that marker.
 *
 * tcpdump stops in one of two ways, and -x shows which: a field read past
 * the capture (its GET_ macros) ends the whole packet at once, and the dump
 * that follows then starts at the link header; a length check (ND_TCHECK)
 * ends only the protocol, and the dump skips the link header as usual.
 * `early` is the first kind.
 */
export class Truncated extends Error {
  constructor(readonly protocol: string, readonly early = true, readonly suffix = '') {
    super(`[|${protocol}]${suffix}`);
  }
}

/** Throw {@link Truncated} unless `n` bytes at `at` were captured (`early`: see Truncated). */
export function need(c: PrintContext, at: number, n: number, protocol: string, early = true): void {
  if (at + n > c.bytes.length || at < 0) throw new Truncated(protocol, early);
}

/**
 * Whether a packet printed since the last call ended early (see
 * {@link Truncated}). Printing is synchronous and one packet at a time, so
 * one flag serves every printer.
 */
let endedEarly = false;
export function takeEndedEarly(): boolean {
  const v = endedEarly;
  endedEarly = false;
  return v;
}

/** Run a printer that appends to a string; a {@link Truncated} adds " [|name]" to what it printed so far. */
export function catchTrunc(print: (out: { s: string }) => void, start = ''): string {
  const out = { s: start };
  try {
    print(out);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    out.s += ` ${e.message}`;
    if (e.early) endedEarly = true;
  }
  return out.s;
}

export const be16 = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
export const be32 = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
export const hex = (n: number, width = 0): string => n.toString(16).padStart(width, '0');
