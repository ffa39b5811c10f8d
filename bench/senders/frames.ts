/**
 * Frames for the JS senders, byte for byte what bench/gen.c sends: dst
 * 02:00:00:00:00:02, src 02:00:00:00:00:01 (locally administered),
 * ethertype 0x88b5 (IEEE local experimental), a 32-bit sequence number at
 * offset 14, then the byte pattern i & 0xff.
 */
export function makeFrames(n: number, size: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let k = 0; k < n; k++) {
    const f = Buffer.alloc(size);
    Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5]).copy(f);
    for (let i = 14; i < size; i++) f[i] = i & 0xff;
    f.writeUInt32BE(k, 14);
    frames.push(f);
  }
  return frames;
}

/** What every sender prints: one JSON line, the shape gen.c prints. */
export interface SendResult {
  mode: string;
  sent: number;
  seconds: number;
  pps: number;
  cpu_ns_per_pkt: number;
  /** Sends that failed (ENOBUFS) and were tried again. */
  retries?: number;
}

/**
 * Time and CPU (this process's own user+sys) around a send loop, and the
 * JSON line. The loop gets a deadline and returns how many frames it sent;
 * `extra` adds fields to the line.
 */
export function measure(mode: string, seconds: number, loop: (deadline: number) => number,
                        extra: () => Record<string, number> = () => ({})): void {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent: number;
  try {
    sent = loop(t0 + seconds * 1000);
  } catch (err) {
    // One line run.ts can quote in the table.
    const e = err as { code?: string; message?: string };
    process.stderr.write(`error: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    process.exit(1);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const r: SendResult = {
    mode, sent, seconds: secs, pps: sent / secs,
    cpu_ns_per_pkt: sent ? ((cpu.user + cpu.system) * 1000) / sent : 0,
    ...extra(),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** argv: DEVICE MODE COUNT SIZE SECONDS [EXTRA...]. */
export function senderArgs(modes: readonly string[]): {
  device: string; mode: string; count: number; size: number; seconds: number; extra: string[];
} {
  const [device, mode, count, size, seconds, ...extra] = process.argv.slice(2);
  const a = { device, mode, count: Number(count), size: Number(size), seconds: Number(seconds), extra };
  if (!device || !modes.includes(mode) || !(a.count > 0) || !(a.size >= 60 && a.size <= 1514) ||
      !(a.seconds > 0 && a.seconds <= 60)) {
    process.stderr.write(`usage: node SENDER.js DEVICE ${modes.join('|')} COUNT SIZE(60..1514) SECONDS(<=60)\n`);
    process.exit(2);
  }
  return a;
}
