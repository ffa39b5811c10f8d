/** The calling thread's CPU time, ns (Linux schedstat: run time on a CPU; works in worker_threads too). */
import { readFileSync } from 'node:fs';

export function threadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}
