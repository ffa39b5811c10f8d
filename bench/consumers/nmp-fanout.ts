/**
 * Capture consumer: examples/workers.ts as a library, N worker_threads in
 * one AF_PACKET fanout group (mode lb), each walking its own ring with
 * rxRing() + waitReadable(). argv: DEVICE BUFFER_BYTES WORKERS.
 *
 * CPU is the whole process's (process.cpuUsage() counts every thread), so
 * the figure is what N rings cost together, per packet captured.
 */
import { runWorkers } from '../../examples/workers';
import { consumerArgs, serve } from './protocol';

const { device, bufferSize, extra } = consumerArgs();
const workers = Number(extra[0] ?? 1);
// The bench stops the consumer itself; an hour is only a bound.
const run = runWorkers({ device, workers, mode: 'lb', bufferSize, seconds: 3600 });
run.ready.then(() => serve({
  count: run.packets,
  stop: async () => {
    run.stop();
    const r = await run.result;
    return { drop: r.total.drops, recv: null };
  },
}), (e: Error) => { process.stderr.write(`error: ${e.message}\n`); process.exit(1); });
