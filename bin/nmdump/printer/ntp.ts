/**
 * NTP (UDP 123): "NTPv4, Client, length 48"; -v adds the header fields and
 * the four timestamps (seconds since 1900, and as UTC dates).
 */
import { be16, be32, catchTrunc, hex, need, type PrintContext } from './context';
import { bytesText, ipv4Text } from './text';

const MODES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];
const LEAP: Record<number, string> = { 0: '', 0x40: '+1s', 0x80: '-1s', 0xc0: 'clock unsynchronized' };
/** Seconds from 1900 (NTP's epoch) to 1970. */
const JAN_1970 = 2208988800;

/** A 32.32 fixed-point time: "3979025931.000000000 (2026-02-02T12:58:51Z)". */
function timeText(b: Uint8Array, at: number): string {
  const i = be32(b, at);
  const f = Math.floor((be32(b, at + 4) / 4294967296) * 1e9);
  let s = `${i}.${String(f).padStart(9, '0')}`;
  if (i) s += ` (${new Date((i - JAN_1970) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
  return s;
}

/** The difference of two timestamps, "+0.375000000" (the later one alone when the origin is 0). */
function deltaText(b: Uint8Array, origin: number, at: number): string {
  const u = be32(b, at);
  const ou = be32(b, origin);
  const uf = be32(b, at + 4);
  const ouf = be32(b, origin + 4);
  if (ou === 0 && ouf === 0) return timeText(b, at);
  let sign: boolean;
  let i: number;
  let f: number;
  if (u > ou) { sign = false; i = u - ou; f = (uf - ouf) >>> 0; if (ouf > uf) i--; }
  else if (u < ou) { sign = true; i = ou - u; f = (ouf - uf) >>> 0; if (uf > ouf) i--; }
  else { i = 0; sign = !(uf > ouf); f = sign ? ouf - uf : uf - ouf; }
  return `${sign ? '-' : '+'}${i}.${String(Math.floor((f / 4294967296) * 1e9)).padStart(9, '0')}`;
}

/** A 16.16 fixed-point interval: "0.004440". */
const shortFix = (b: Uint8Array, at: number): string => `${be16(b, at)}.${String(Math.floor((be16(b, at + 2) / 65536) * 1e6)).padStart(6, '0')}`;

const signed8 = (v: number): number => (v << 24) >> 24;

function stratumName(s: number): string {
  if (s === 0) return 'unspecified';
  if (s === 1) return 'primary reference';
  return s >= 2 && s <= 15 ? 'secondary reference' : 'reserved';
}

export function ntpText(c: PrintContext, at: number, length: number): string {
  const b = c.bytes;
  if (at >= b.length) return ' [|ntp]';
  const status = b[at];
  const mode = status & 7;
  const head = `NTPv${(status >> 3) & 7}, ${MODES[mode]}, length ${length}`;
  if (c.o.verbose === 0) return head;
  return catchTrunc((out) => {
    out.s += `\n\tLeap indicator: ${LEAP[status & 0xc0]} (${status & 0xc0})`;
    if (mode === 6) {
      if (length < 12) { out.s += ' (invalid)'; return; }
      need(c, at, 12, 'ntp');
      const ctl = b[at + 1];
      out.s += `, ${ctl & 0x80 ? 'Response' : 'Request'}, ${ctl & 0x40 ? 'Error' : 'OK'}, ${ctl & 0x20 ? 'More' : 'Last'}, OpCode=${ctl & 0x1f}\n`
        + `\tSequence=${be16(b, at + 2)}, Status=${be16(b, at + 4) ? `0x${hex(be16(b, at + 4))}` : '0'}, Assoc.=${be16(b, at + 6)}`
        + `, Offset=${be16(b, at + 8)}, Count=${be16(b, at + 10)}`;
      const count = be16(b, at + 10);
      if (12 + count > length) { out.s += ' (invalid)'; return; }
      if (count) out.s += '\n\tTO-BE-DONE: data not interpreted';
      return;
    }
    if (mode === 7) return;
    if (length < 48) { out.s += ' (invalid)'; return; }
    need(c, at, 4, 'ntp');
    const stratum = b[at + 1];
    const poll = signed8(b[at + 2]);
    out.s += `, Stratum ${stratum} (${stratumName(stratum)}), poll ${poll}`;
    if (poll > -32 && poll < 32) out.s += poll >= 0 ? ` (${2 ** poll}s)` : ` (1/${2 ** -poll}s)`;
    out.s += `, precision ${signed8(b[at + 3])}`;
    need(c, at, 12, 'ntp');
    out.s += `\n\tRoot Delay: ${shortFix(b, at + 4)}, Root dispersion: ${shortFix(b, at + 8)}, Reference-ID: `;
    need(c, at, 16, 'ntp');
    if (stratum === 0) out.s += '(unspec)';
    else if (stratum === 1) out.s += bytesText(b, at + 12, 4, false);
    else if (stratum === 16 + 238 || stratum === 16 + 239) {
      out.s += `${ipv4Text(b, at + 12)} ${stratum === 254 ? 'INFO_QUERY' : 'INFO_REPLY'}`;
      return;
    } else out.s += `0x${hex(be32(b, at + 12), 8)}`;
    need(c, at, 48, 'ntp');
    out.s += `\n\t  Reference Timestamp:  ${timeText(b, at + 16)}\n\t  Originator Timestamp: ${timeText(b, at + 24)}`
      + `\n\t  Receive Timestamp:    ${timeText(b, at + 32)}\n\t  Transmit Timestamp:   ${timeText(b, at + 40)}`
      + `\n\t    Originator - Receive Timestamp:  ${deltaText(b, at + 24, at + 32)}`
      + `\n\t    Originator - Transmit Timestamp: ${deltaText(b, at + 24, at + 40)}`;
    if (length === 52) { need(c, at, 52, 'ntp'); out.s += `\n\tKey id: ${be32(b, at + 48)}`; }
    else if (length > 48) out.s += `\n\t(${length - 48} more bytes after the header)`;
  }, head);
}
