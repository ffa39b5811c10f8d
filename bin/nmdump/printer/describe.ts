/**
 * The protocol part of a line. Until a protocol printer knows the packet,
 * it gets a generic description: the link type and the length, and never
 * an exception, whatever the bytes.
 */
import { linkTypeName } from '../../../index';
import type { NmdumpOptions } from '../options';

export interface Description {
  /** The text after the timestamp. */
  text: string;
  /** Bytes of link-layer header (what -x leaves out and -xx keeps). */
  linkLength: number;
}

/** Describe one packet (`bytes` are its captured bytes, `len` its length on the wire). */
export function describePacket(bytes: Uint8Array, len: number, linktype: number, _opts: NmdumpOptions,
                               _state: Map<string, unknown>): Description {
  const name = linkTypeName(linktype);
  return { text: `${name.startsWith('DLT_') ? `link-type ${linktype}` : name}, length ${len}`, linkLength: 0 };
}
