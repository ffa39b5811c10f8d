/**
 * What every compat/pcap decoder shares: the emitter type, the prototype
 * tags npm pcap 3.1.0 puts on its decoder classes, and the note a decoder
 * leaves instead of throwing.
 *
 * npm pcap throws (RangeError from Buffer#readUInt16BE and friends) when a
 * layer is shorter than the reads it makes. These decoders check the length
 * once per layer instead; a layer that is too short gets `_error` (the field
 * name npm pcap's own NullPacket, LLC, NoNext and DNS use) and decoding
 * stops there. Single-byte reads past the end give `undefined`, exactly as
 * in npm pcap, so packets npm pcap decodes without throwing come out the same.
 */

/** Anything with npm pcap's `emit(name, decoder)` (usually an EventEmitter). */
export interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** The bytes the decoders read: the packet (a Buffer, as npm pcap takes it). */
export type Bytes = Buffer;

/**
 * Put npm pcap's `decoderName` and `eventsOnDecode` on a class's prototype
 * (they are prototype properties there, not own fields).
 */
export function tagDecoder(ctor: { prototype: object }, decoderName: string, eventsOnDecode: boolean): void {
  Object.assign(ctor.prototype, { decoderName, eventsOnDecode });
}

/** The `_error` text for a layer cut short. */
export function truncated(layer: string, need: number, have: number): string {
  return `truncated ${layer}: needs ${need} bytes, ${have < 0 ? 0 : have} left`;
}

/** Big-endian 16-bit read; the caller has checked the bounds. */
export function u16(b: Bytes, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Big-endian 32-bit read, unsigned; the caller has checked the bounds. */
export function u32(b: Bytes, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
