/**
 * npm pcap's `pcap/decode/ieee802.11/radio_packet`: the radiotap header
 * (DLT_IEEE802_11_RADIO) with its fields (radiotap_fields.json), then the
 * 802.11 frame. Emits 'radio-packet'.
 *
 * Fields come out as in npm pcap: `fields.rate`, `fields.channel.frequency`
 * ... (single-value fields by their id, the others as an object of their
 * parts), u64 as BigInt, byte strings as Buffer views. `presentFields` is
 * a BigInt when the extension bit is set.
 *
 * Where npm pcap 3.1.0 throws, this decoder does not: a revision other than
 * 0 (it calls a console.warning that does not exist) is decoded as revision
 * 0 and noted in `_error`; field names that are not JavaScript identifiers
 * (fhss, a_mpdu_status, timestamp, 0_length_psdu), TX flags, RTS/data
 * retries and XChannel (bits 15-18), a TLV list, a header longer than its
 * fields all decode; an unknown field bit or a header too short for its
 * fields ends the field list with `_error`. Alignment is counted from the
 * start of the radiotap header, as the radiotap standard says.
 */
import RadioFrame = require('./radio_frame');
import RADIOTAP_FIELDS = require('./radiotap_fields.json');
import { truncated } from '../../../pcap-internal/decoder';
import type { Bytes, Emitter } from '../../../pcap-internal/decoder';
import type { DecodeOptions } from '../../../pcap-internal/types';

type Kind = string | number;
interface FieldSpec { id: string; structure: (Kind | null)[][]; align: number }
const SPECS = RADIOTAP_FIELDS as unknown as Record<string, FieldSpec | undefined>;

/** Bit 28: the rest of the header is a TLV list. 29, 30: namespace switches; 31: another presence word. */
const TLV_BIT = 28;
const EXT_BIT = 31;
const SIZES: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8 };

function readKind(b: Bytes, at: number, kind: Kind): number | bigint | Buffer {
  switch (kind) {
    case 'u8': return b[at];
    case 's8': return (b[at] << 24) >> 24;
    case 'u16': return b[at] | (b[at + 1] << 8);
    case 's16': return ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
    case 'u32': return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
    case 's32': return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
    case 'u64': return b.readBigUInt64LE(at);
    default: return b.subarray(at, at + (kind as number));
  }
}

const sizeOf = (kind: Kind): number => (typeof kind === 'number' ? kind : SIZES[kind]);

/**
 * The fields of the first presence word, read from `at` up to `end`;
 * `base` is where the radiotap header starts (alignment is relative to it).
 */
function readFields(b: Bytes, base: number, at: number, end: number, present: number):
    { fields: Record<string, unknown>; error?: string } {
  const fields: Record<string, unknown> = {};
  let pos = at;
  for (let bit = 0; bit < 29; bit++) {
    if ((present & (1 << bit)) === 0) continue;
    if (bit === TLV_BIT) {
      fields.tlv = b.subarray(pos, end);
      break;
    }
    const spec = SPECS[bit];
    if (spec === undefined) return { fields, error: `radiotap field bit ${bit} is unknown; the fields after it are not decoded` };
    pos = base + Math.ceil((pos - base) / spec.align) * spec.align;
    const size = spec.structure.reduce((n, [kind]) => n + sizeOf(kind as Kind), 0);
    if (pos + size > end) return { fields, error: `Radiotap header length too short for field ${spec.id}` };
    if (spec.structure.length === 1) {
      fields[spec.id] = readKind(b, pos, spec.structure[0][0] as Kind);
      pos += size;
    } else {
      const group: Record<string, unknown> = {};
      for (const [kind, name] of spec.structure) {
        group[String(name)] = readKind(b, pos, kind as Kind);
        pos += sizeOf(kind as Kind);
      }
      fields[spec.id] = group;
    }
  }
  return { fields };
}

class RadioPacket {
  /** npm pcap's shared cache of compiled field decoders; unused here (nothing is compiled). */
  static globalCache: Record<string, unknown> = {};

  emitter: Emitter | undefined;
  headerRevision: number | undefined = undefined;
  headerPad: number | undefined = undefined;
  headerLength: number | undefined = undefined;
  presentFields: number | bigint | undefined = undefined;
  fields: Record<string, unknown> | undefined = undefined;
  _decoderCache: Record<string, unknown> = {};
  /** The 802.11 frame (a Buffer view with `decodeLower: false`). */
  declare ieee802_11Frame?: RadioFrame | Buffer;
  declare _error?: string;

  constructor(emitter?: Emitter) {
    this.emitter = emitter;
  }

  decode(raw_packet: Bytes, offset: number, options?: DecodeOptions): this {
    const b = raw_packet;
    if (!(b.length - offset >= 8)) {
      this._error = truncated('radiotap header', 8, b.length - offset);
      return this;
    }
    this.headerRevision = b[offset];
    this.headerPad = b[offset + 1];
    const headerLength = b[offset + 2] | (b[offset + 3] << 8);
    this.headerLength = headerLength;
    const first = (b[offset + 4] | (b[offset + 5] << 8) | (b[offset + 6] << 16) | (b[offset + 7] << 24)) >>> 0;
    let at = offset + 8;
    this.presentFields = first;
    if (first >>> EXT_BIT) {
      // As npm pcap: one BigInt of every presence word, extension bits cleared.
      let all = BigInt(first);
      for (let shift = 32n; all >> (shift - 1n); shift += 32n) {
        if (!(b.length - at >= 4)) {
          this._error = truncated('radiotap presence words', 4, b.length - at);
          return this;
        }
        all ^= 1n << (shift - 1n);
        all |= BigInt(b.readUInt32LE(at)) << shift;
        at += 4;
      }
      this.presentFields = all;
    }
    const end = Math.min(offset + headerLength, b.length);
    const { fields, error } = readFields(b, offset, at, end, first);
    this.fields = fields;
    if (error !== undefined) this._error = error;
    if (this.headerRevision !== 0) this._error = `radiotap revision ${this.headerRevision} is not 0; decoded as revision 0`;
    const frameAt = offset + headerLength;
    this.ieee802_11Frame = options && options.decodeLower === false
      ? b.subarray(frameAt)
      : new RadioFrame(this.emitter).decode(b, frameAt);
    if (this.emitter) this.emitter.emit('radio-packet', this);
    return this;
  }
}

export = RadioPacket;
