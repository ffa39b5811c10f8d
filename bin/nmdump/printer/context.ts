/** What every protocol printer gets: the flags, the packet, its layers, and state kept across packets. */
import type { Layer } from '../../../index';
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
}

/** The layer at `i` if it is of `kind`. */
export function layerAt<K extends Layer['kind']>(c: PrintContext, i: number, kind: K): Extract<Layer, { kind: K }> | undefined {
  const l = c.layers[i];
  return l?.kind === kind ? (l as Extract<Layer, { kind: K }>) : undefined;
}
