/**
 * session.createWriteStream(): a Writable of frames over the TX queue.
 * A write that finds room is done at once; one that does not waits in
 * send() (through the event loop), and Writable's own buffer turns that
 * into backpressure (write() returns false, then 'drain').
 */
import { Writable } from 'node:stream';
import type { TxQueue } from './tx-queue';

/** The session's side the stream needs: its state and its send(). */
interface FrameSink {
  readonly closed: boolean;
  send(frames: readonly Uint8Array[]): Promise<number>;
}

export function frameWriter(session: FrameSink, q: TxQueue, highWaterMark = 256): Writable {
  const one: Uint8Array[] = [];
  return new Writable({
    objectMode: true,
    highWaterMark,
    write(frame: Uint8Array, _enc, done) {
      try {
        q.checkFrame(frame, -1);
        q.throwDeferred();
        one[0] = frame;
        if (!session.closed && q.pushSome(one, 0) === 1) {
          done();
          return;
        }
      } catch (err) {
        done(err as Error);
        return;
      }
      session.send([frame]).then(() => done(), done);
    },
    final(done) {
      try {
        if (!session.closed) q.kick();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
