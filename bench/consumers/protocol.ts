/**
 * The line protocol between bench/run.ts and a capture consumer process.
 *
 *   consumer -> stdout   `ready`               the capture is open and bound
 *                        `progress N`          packets so far, every 100 ms
 *                        `result {json}`       after `stop`, then it exits
 *   run.ts   -> stdin    `stop`                stop capturing and report
 *
 * Plain lines on pipes rather than signals: `ip netns exec` and `taskset`
 * exec in place, but a line cannot be lost to an unhandled signal, and the
 * consumer can report after the session is closed.
 *
 * CPU is the consumer's own accounting (process.cpuUsage(): getrusage over
 * every thread of the process, GC included) from `ready` to `stop`, so
 * opening the session and loading the module are not counted.
 */
import { createInterface } from 'node:readline';

/** What a consumer reports at the end. */
export interface ConsumerResult {
  /** Packets captured after `mark`. */
  captured: number;
  /** Kernel drops as the consumer's own stats report them (null: none). */
  drop: number | null;
  /** Packets the kernel saw for this socket, dropped ones included. */
  recv: number | null;
  /** user + sys CPU between `mark` (or `ready`) and `stop`, in nanoseconds. */
  cpuNs: number;
}

export interface Consumer {
  /** Packets captured so far. */
  count(): number;
  /** Stop capturing, close, and return the consumer's own statistics. */
  stop(): Promise<{ drop: number | null; recv: number | null }> | { drop: number | null; recv: number | null };
}

// A consumer that throws says so in one line run.ts can quote.
process.on('uncaughtException', (err: Error & { code?: string }) => {
  process.stderr.write(`error: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
  process.exit(1);
});

/** Announce readiness, report progress, and answer `stop` with a result. */
export function serve(consumer: Consumer): void {
  // The clock and the count restart at `mark` (after the warm-up burst), so
  // start-up and JIT compilation are not charged to the steady state.
  let cpu0 = process.cpuUsage();
  let base = 0;
  const progress = setInterval(() => process.stdout.write(`progress ${consumer.count()}\n`), 100);
  process.stdout.write('ready\n');
  let stopping = false;
  const finish = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    const cpu = process.cpuUsage(cpu0);
    const captured = consumer.count() - base;
    const { drop, recv } = await consumer.stop();
    const result: ConsumerResult = { captured, drop, recv, cpuNs: (cpu.user + cpu.system) * 1000 };
    process.stdout.write(`result ${JSON.stringify(result)}\n`, () => process.exit(0));
  };
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (cmd === 'stop') void finish();
    if (cmd === 'mark') {
      cpu0 = process.cpuUsage();
      base = consumer.count();
      process.stdout.write(`marked ${base}\n`);
    }
  });
  // run.ts gone (pipe closed): stop too, never linger inside the netns.
  rl.on('close', () => void finish());
}

/** argv: DEVICE BUFFER_BYTES [EXTRA...]. */
export function consumerArgs(): { device: string; bufferSize: number; extra: string[] } {
  const [device, buf, ...extra] = process.argv.slice(2);
  const bufferSize = Number(buf);
  if (!device || !Number.isInteger(bufferSize) || bufferSize <= 0) {
    process.stderr.write('usage: node CONSUMER.js DEVICE BUFFER_BYTES\n');
    process.exit(2);
  }
  return { device, bufferSize, extra };
}
