/**
 * What a soak worker reports about itself: memory, descriptors and mapped
 * regions, read in the worker's own process so that each workload is
 * measured alone. One JSON line per sample on stdout.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Sample {
  /** Seconds since the worker started. */
  t: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Open descriptors (/proc/self/fd). */
  fds: number;
  /** Mapped regions (/proc/self/maps lines). */
  maps: number;
  /** Packets the workload moved so far. */
  packets: number;
  /** Workload-specific counters (drops, reordering, passes ...). */
  counters: Record<string, number>;
}

const started = process.hrtime.bigint();

export function sample(packets: number, counters: Record<string, number>): Sample {
  const m = process.memoryUsage();
  return {
    t: Number(process.hrtime.bigint() - started) / 1e9,
    rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers,
    fds: readdirSync('/proc/self/fd').length - 1, // minus the one readdir holds
    maps: readFileSync('/proc/self/maps', 'utf8').split('\n').length - 1,
    packets, counters,
  };
}

/** Print a sample every `seconds` until stop() is called. */
export function reportEvery(seconds: number, read: () => { packets: number; counters: Record<string, number> }): () => void {
  const emit = (): void => {
    const { packets, counters } = read();
    process.stdout.write(`${JSON.stringify(sample(packets, counters))}\n`);
  };
  const timer = setInterval(emit, seconds * 1000);
  emit();
  return () => {
    clearInterval(timer);
    emit();
  };
}
