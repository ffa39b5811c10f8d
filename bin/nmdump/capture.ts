/**
 * The capture loop: open the source (-i or -r), hand every packet to the
 * savefile writer or the printer, stop on -c, end of file, SIGINT or
 * SIGTERM, and leave the savefile complete and flushed before the summary.
 */
import { openLive, openOffline } from '../../index';
import type { LiveOptions, Session } from '../../index';
import type { NmdumpOptions } from './options';
import { chooseDevice } from './devices';
import { LineOutput } from './output';
import { Printer } from './printer/index';
import { linkTypeText, StatusLine, summaryLines } from './summary';
import { SavefileWriter } from './writer';

/** Where nmdump's own messages go (stderr; a test may pass something else). */
export interface Console {
  error(text: string): void;
}

async function openSource(o: NmdumpOptions, say: Console): Promise<Session> {
  if (o.readFile !== undefined) {
    const file = await openOffline(o.readFile, { filter: o.filter });
    say.error(`reading from file ${o.readFile}, ${linkTypeText(file.datalink())}, snapshot length ${file.snaplen}`);
    return file;
  }
  const device = o.device ?? chooseDevice();
  const options: LiveOptions = {
    snaplen: o.snaplen,
    promisc: !o.noPromisc,
    immediate: o.immediate,
    ...(o.bufferKiB !== undefined && { bufferSize: o.bufferKiB * 1024 }),
    ...(o.direction !== undefined && { direction: o.direction }),
    ...(o.filter !== undefined && { filter: o.filter }),
  };
  const live = openLive(device, options);
  if (o.verbose === 0 && o.writeFile === undefined) {
    say.error('nmdump: verbose output suppressed, use -v[v]... for full protocol decode');
  }
  say.error(`nmdump: listening on ${device}, ${linkTypeText(live.datalink())}, snapshot length ${live.snaplen} bytes`);
  return live;
}

/**
 * Run a capture to its end. Resolves with the exit code; a PcapError from
 * opening (bad device, filter, file, privileges) rejects.
 */
export async function capture(o: NmdumpOptions, say: Console): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let session: Session | undefined;
  let writer: SavefileWriter | undefined;
  let status: StatusLine | undefined;
  let captured = 0;
  let bytes = 0;
  let code = 0;
  try {
    session = await openSource(o, say);
    const live = o.readFile === undefined;
    const s = session;
    writer = o.writeFile !== undefined ? new SavefileWriter(o, s.datalink(), s.snaplen) : undefined;
    const printer = writer ? undefined : new Printer(o);
    const out = printer ? new LineOutput(o.lineBuffered) : undefined;
    if (writer && o.writeFile !== '-') {
      status = new StatusLine(process.stderr, () => ({ packets: captured, bytes, drops: live ? s.stats().drop : 0 }));
    }
    try {
      for await (const p of s.packets({ signal: stop.signal })) {
        captured++;
        bytes += p.len;
        if (writer && !writer.write(p.data, p)) {
          captured--; // tcpdump stops before writing this one
          say.error(`Maximum file limit reached: ${o.fileCount}`);
          break;
        }
        if (printer) {
          out!.line(printer.format(p.data, p, p.linktype));
          if (out!.broken) break;
        }
        if (captured === o.count) break;
      }
    } catch (e) {
      // A read error (a truncated file, a device gone): keep what was
      // captured, report it, and fail.
      say.error(`nmdump: ${(e as Error).message}`);
      code = 1;
    }
    out?.flush();
    status?.stop();
    await writer?.close();
    if (live) say.error(summaryLines(captured, s.stats()).trimEnd());
    return code;
  } finally {
    status?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    session?.close();
  }
}
