/** IGMP v1 (RFC 1112), v2 (RFC 2236) and v3 (RFC 3376). */
import { formatIPv4 } from './format';
import { DecodeState, fitsAt, fits, P, u16, u32 } from './state';

export interface IgmpGroupRecord {
  /** 1 MODE_IS_INCLUDE ... 6 BLOCK_OLD_SOURCES. */
  readonly type: number;
  readonly auxDataLength: number;
  readonly group: string;
  readonly sources: readonly string[];
}

export interface IgmpLayer {
  readonly kind: 'igmp';
  readonly offset: number;
  /** Bytes decoded. */
  readonly length: number;
  /** 1, 2 or 3, from the type and the message length (RFC 3376 section 7); 0 for other types (DVMRP, PIM v1, mtrace). */
  readonly version: number;
  /** 0x11 query, 0x12 v1 report, 0x16 v2 report, 0x17 leave, 0x22 v3 report. */
  readonly type: number;
  /** Max response time/code (v2, v3 queries), in tenths of a second (coded above 127 in v3). */
  readonly maxResponse: number;
  readonly checksum: number;
  /** The group address (queries, v1/v2 reports, leave); 0.0.0.0 in a general query. */
  readonly group?: string;
  /** v3 query. */
  readonly suppress?: boolean;
  readonly qrv?: number;
  readonly qqic?: number;
  readonly sources?: readonly string[];
  /** v3 report. */
  readonly records?: readonly IgmpGroupRecord[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function decodeIgmp(s: DecodeState): void {
  if (!fits(s, 8, 'igmp')) return;
  const d = s.data;
  const o = s.off;
  const type = d[o];
  const l: Mutable<IgmpLayer> = { kind: 'igmp', offset: o, length: 8, version: 0, type, maxResponse: d[o + 1], checksum: u16(d, o + 2) };
  s.layers.push(l);
  s.next = P.PAYLOAD;
  s.off = o + 8;
  const size = s.end - o;
  if (type === 0x11) {
    l.group = formatIPv4(u32(d, o + 4));
    if (size >= 12) {
      l.version = 3;
      if (!fits(s, 12, 'igmp')) return;
      l.suppress = (d[o + 8] & 8) !== 0; l.qrv = d[o + 8] & 7; l.qqic = d[o + 9];
      const n = u16(d, o + 10);
      if (!fits(s, 12 + 4 * n, 'igmp')) return;
      l.sources = addresses(d, o + 12, n);
      l.length = 12 + 4 * n;
      s.off = o + l.length;
    } else {
      l.version = d[o + 1] === 0 ? 1 : 2;
    }
  } else if (type === 0x12 || type === 0x16 || type === 0x17) {
    l.version = type === 0x12 ? 1 : 2;
    l.group = formatIPv4(u32(d, o + 4));
  } else if (type === 0x22) {
    l.version = 3;
    const n = u16(d, o + 6);
    const records: IgmpGroupRecord[] = [];
    l.records = records;
    let at = o + 8;
    for (let i = 0; i < n; i++) {
      if (!fitsAt(s, at, 8, 'igmp record')) return;
      const ns = u16(d, at + 2);
      const len = 8 + 4 * ns + 4 * d[at + 1];
      if (!fitsAt(s, at, len, 'igmp record')) return;
      records.push({ type: d[at], auxDataLength: d[at + 1], group: formatIPv4(u32(d, at + 4)), sources: addresses(d, at + 8, ns) });
      at += len;
      l.length = at - o;
      s.off = at;
    }
  }
}

function addresses(d: Uint8Array, at: number, n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = formatIPv4(u32(d, at + 4 * i));
  return out;
}
