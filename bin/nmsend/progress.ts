/**
 * What nmsend tells the user: a progress line, redrawn each second, when
 * stderr is a terminal; and one summary line on stderr however the run ends.
 */
import type { StopReason, Totals } from './sender';

const WHY: Record<StopReason, string> = {
  count: 'count reached',
  end: 'end of input',
  duration: 'duration reached',
  signal: 'interrupted',
  error: 'error',
};

function rates(t: Totals): { secs: number; pps: number; mbps: number } {
  const secs = t.elapsedNs / 1e9;
  return {
    secs,
    pps: secs > 0 ? t.sent / secs : 0,
    mbps: secs > 0 ? (t.bytes * 8) / secs / 1e6 : 0,
  };
}

/** The one-line summary (no newline). */
export function summaryLine(t: Totals, why: StopReason): string {
  const { secs, pps, mbps } = rates(t);
  return `nmsend: sent ${t.sent} packets (${t.bytes} bytes) in ${secs.toFixed(3)} s, ` +
    `${Math.round(pps)} pps, ${mbps.toFixed(2)} Mbit/s; failed ${t.failed}; ${WHY[why]}`;
}

/** Start the progress line if stderr is a terminal; returns the function that stops it. */
export function startProgress(totals: Totals): () => void {
  const err = process.stderr;
  if (!err.isTTY) return () => {};
  const draw = (): void => {
    const { secs, pps, mbps } = rates(totals);
    err.write(`\r${totals.sent} packets  ${Math.round(pps)} pps  ${mbps.toFixed(2)} Mbit/s  ${secs.toFixed(1)} s\x1b[K`);
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    err.write('\r\x1b[K');
  };
}
