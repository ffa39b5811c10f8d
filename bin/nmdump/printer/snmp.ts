/**
 * SNMP v1 / v2c (UDP 161, 162) at the default verbosity: the PDU and its
 * variable bindings, "  GetResponse(31)  .1.3.6.1.2.1.1.1.0="router"".
 */
import type { PrintContext } from './context';

const PDUS: Record<number, string> = { 0: 'GetRequest', 1: 'GetNextRequest', 2: 'GetResponse', 3: 'SetRequest', 4: 'Trap',
  5: 'GetBulk', 6: 'Inform', 7: 'V2Trap', 8: 'Report' };

interface Elem { tag: number; at: number; len: number; end: number }

/** What tcpdump prints for an element cut by the capture. */
const CUT = ' [|snmp]';

/**
 * One BER element at `at` (short and long lengths) within `end` (the
 * message's length), or a message saying why not: its lengths first, then
 * the captured bytes.
 */
function elem(b: Uint8Array, at: number, end: number): Elem | string {
  if (at + 2 > end) return `[len${end - at}<asnlen2]`;
  if (at + 2 > b.length) return CUT;
  const tag = b[at];
  let len = b[at + 1];
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (p + n > end) return `[len${end - p}<asnlen${n}]`;
    if (p + n > b.length) return CUT;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + b[p + k];
    p += n;
  }
  if (p + len > end) return `[len${end - p}<asnlen${len}]`;
  if (p + len > b.length) return CUT;
  return { tag, at: p, len, end: p + len };
}

function oidText(b: Uint8Array, e: Elem): string {
  let s = '';
  let v = 0;
  let first = true;
  for (let i = e.at; i < e.end; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (b[i] & 0x80) continue;
    if (first) { s += `.${Math.min(2, Math.floor(v / 40))}.${v - 40 * Math.min(2, Math.floor(v / 40))}`; first = false; }
    else s += `.${v}`;
    v = 0;
  }
  return s;
}

function valueText(b: Uint8Array, e: Elem): string {
  switch (e.tag) {
    case 0x05: return '';
    case 0x04: return `="${String.fromCharCode(...b.subarray(e.at, e.end))}"`;
    case 0x06: return `=${oidText(b, e)}`;
    case 0x02: {
      let v = e.len && b[e.at] & 0x80 ? -1 : 0;
      for (let i = e.at; i < e.end; i++) v = v * 256 + b[i];
      return `=${v}`;
    }
    case 0x40: return `=${Array.from(b.subarray(e.at, e.end)).join('.')}`;
    case 0x41: case 0x42: case 0x43: case 0x46: {
      let v = 0;
      for (let i = e.at; i < e.end; i++) v = v * 256 + b[i];
      return `=${v}`;
    }
    default: return '=[unknown]';
  }
}

export function snmpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  const end = at + length;
  const seq = elem(b, at, end);
  if (typeof seq === 'string') return ` ${seq}`;
  const version = elem(b, seq.at, seq.end);
  if (typeof version === 'string') return ` ${version}`;
  const community = typeof version === 'string' ? version : elem(b, version.end, seq.end);
  if (typeof community === 'string') return ` ${community}`;
  const pdu = elem(b, community.end, seq.end);
  if (typeof pdu === 'string') return ` ${pdu}`;
  const name = PDUS[pdu.tag & 0x1f] ?? `PDU(${pdu.tag & 0x1f})`;
  let s = ` ${name}(${pdu.len}) `;
  if ((pdu.tag & 0x1f) === 4) return s;
  // request id, error status, error index, then the bindings.
  let p = pdu.at;
  for (let k = 0; k < 3; k++) {
    const e = elem(b, p, pdu.end);
    if (typeof e === 'string') return `${s}${e}`;
    p = e.end;
  }
  const list = elem(b, p, pdu.end);
  if (typeof list === 'string') return `${s}${list}`;
  for (let q = list.at; q < list.end;) {
    const vb = elem(b, q, list.end);
    if (typeof vb === 'string') return `${s}${vb}`;
    const name = elem(b, vb.at, vb.end);
    if (typeof name === 'string') return `${s}${name}`;
    const value = elem(b, name.end, vb.end);
    if (typeof value === 'string') return `${s}${value}`;
    s += ` ${oidText(b, name)}${valueText(b, value)}`;
    q = vb.end;
  }
  return s;
}
