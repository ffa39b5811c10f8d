// Pipe JS -> JS between two processes, 64-byte frames: the fast API (ring
// slots written and read in place) and the convenient API (injectBatch,
// loop with a Buffer per packet). Run by bench/pipe.ts (`npm run bench`,
// BENCH_ONLY=pipe), or by hand:
//   node dist/bench/pipe-js.js [fast|convenient] [packets] [spinUs]
// spinUs > 0 busy-polls the fast receiver's ring that long before it sleeps
// (waitReadable's busy-poll option); -1 never sleeps (a plain loop of
// rx.sync(), what a user who owns a core writes).
// The receiver runs here, the sender in a child process; prints the
// receiver's Mpps and the sender's exit status as one JSON line.
import { spawn } from 'node:child_process';
import { openLive, ringLayout } from '../index';

const { HEAD, CUR, TAIL, SLOT0, SLOT_WORDS, OFFSET, LEN } = ringLayout;
const SIZE = 64;

function fastSend(port: string, n: number): void {
  const s = openLive(port);
  const tx = s.txRing();
  const { words, bytes, numSlots } = tx;
  for (let seq = 0; seq < n;) {
    let h = words[HEAD];
    const t = words[TAIL];
    while (h !== t && seq < n) {
      const slot = SLOT0 + h * SLOT_WORDS;
      const off = words[slot + OFFSET];
      bytes[off + 14] = seq >>> 24; bytes[off + 15] = seq >>> 16;
      bytes[off + 16] = seq >>> 8; bytes[off + 17] = seq;
      words[slot + LEN] = SIZE;
      h = h + 1 === numSlots ? 0 : h + 1;
      seq++;
    }
    words[HEAD] = h;
    words[CUR] = h;
    tx.sync();
  }
  try {
    while (tx.sync() < numSlots - 1) { /* until the receiver has them all */ }
  } catch { /* the receiver closed first */ }
  s.close();
}

function convenientSend(port: string, n: number): void {
  const s = openLive(port);
  const frames = Array.from({ length: 1024 }, () => Buffer.alloc(SIZE));
  for (let seq = 0; seq < n;) {
    const k = Math.min(frames.length, n - seq);
    for (let i = 0; i < k; i++) frames[i].writeUInt32BE(seq + i, 14);
    try {
      seq += s.injectBatch(k === frames.length ? frames : frames.slice(0, k));
    } catch (err) {
      // A receiver that did not read for txWaitMs (a busy machine): go on
      // from the first frame not sent, as a program that must not drop would.
      if ((err as { code?: string }).code !== 'EAGAIN') throw err;
      seq += (err as { sent: number }).sent;
    }
  }
  try {
    const tx = s.txRing();
    while (tx.sync() < tx.numSlots - 1) { /* until the receiver has them all */ }
  } catch { /* the receiver closed first */ }
  s.close();
}

async function receive(port: string, n: number, mode: string, spin: number): Promise<void> {
  const s = openLive(port, { timeout: 10 });
  const child = spawn(process.execPath, [...process.execArgv, __filename, `send-${mode}`, port.replace('}', '{'), String(n)],
    { stdio: 'inherit' });
  let got = 0;
  let bad = 0;
  let t0 = 0n;
  if (mode === 'fast') {
    const rx = s.rxRing();
    const { words, bytes, numSlots } = rx;
    while (got < n) {
      rx.sync();
      let h = words[HEAD];
      const t = words[TAIL];
      if (h === t) {
        if (spin >= 0) s.waitReadable(1000, spin);
        continue;
      }
      if (got === 0) t0 = process.hrtime.bigint();
      while (h !== t) {
        const off = words[SLOT0 + h * SLOT_WORDS + OFFSET];
        const seq = ((bytes[off + 14] << 24) | (bytes[off + 15] << 16) | (bytes[off + 16] << 8) | bytes[off + 17]) >>> 0;
        if (seq !== got) bad++;
        got++;
        h = h + 1 === numSlots ? 0 : h + 1;
      }
      words[HEAD] = h;
      words[CUR] = h;
    }
    rx.sync();
  } else {
    await s.loop(n, (data) => {
      if (got === 0) t0 = process.hrtime.bigint();
      if (data.readUInt32BE(14) !== got) bad++;
      got++;
    });
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  // loop() hands the last batch back at the next sync: close instead, and
  // the sender sees EPIPE ("closed") rather than waiting for it.
  s.close();
  const senderExit = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  console.log(JSON.stringify({ mode, packets: got, outOfSequence: bad, spin, mpps: +(got / secs / 1e6).toFixed(2), senderExit }));
}

const [role = 'fast', a = '20000000', b = '0'] = process.argv.slice(2);
if (role === 'send-fast') fastSend(a, +b);
else if (role === 'send-convenient') convenientSend(a, +b);
else receive(`pipe:bench${process.pid}}0`, +a, role, +b);
