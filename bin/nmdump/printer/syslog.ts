/** Syslog (UDP 514): "SYSLOG daemon.info, length: 40"; -v adds the facility, severity and message. */
import { type PrintContext } from './context';
import { bytesText, unknownData } from './text';

const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];
const FACILITIES = ['kernel', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

export function syslogText(c: PrintContext, at: number, len: number): string {
  const b = c.bytes;
  const byte = (i: number): number => (at + i < b.length ? b[at + i] : -1);
  if (byte(0) === -1) return ' [|syslog]';
  if (byte(0) !== 0x3c) return ' (invalid)';
  let off = 1;
  let pri = 0;
  while (off <= 3 && byte(off) >= 0x30 && byte(off) <= 0x39) pri = pri * 10 + (byte(off++) - 0x30);
  if (byte(off) === -1) return ' [|syslog]';
  if (byte(off) !== 0x3e) return ' (invalid)';
  off++;
  const facility = (pri & 0x3f8) >> 3;
  const severity = pri & 7;
  const fac = FACILITIES[facility] ?? `unknown (${facility})`;
  const sev = SEVERITIES[severity];
  if (c.o.verbose === 0) return `SYSLOG ${fac}.${sev}, length: ${len}`;
  let s = `SYSLOG, length: ${len}\n\tFacility ${fac} (${facility}), Severity ${sev} (${severity})\n\tMsg: `;
  if (len > off) s += bytesText(b, at + off, len - off, false);
  if (c.o.verbose > 1) s += unknownData(b, at, Math.min(len, b.length - at), '\n\t');
  return s;
}
