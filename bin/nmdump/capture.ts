/**
 * The capture loop: open the sources (-i, once or more, or -r), hand every
 * packet to the savefile writer or the printer, stop on -c, end of file,
 * SIGINT or SIGTERM, and leave the savefile complete and flushed before
 * the summary.
 */
import { LiveSession, openLive, openOffline } from '../../index';
import type { LiveOptions, PacketHeader, Session, Stats } from '../../index';
import type { PacketDirection } from '../../lib/packet';
import type { NmdumpOptions } from './options';
import { chooseDevice } from './devices';
import { LineOutput } from './output';
import { Printer } from './printer/index';
import { walkRing } from './ring-walk';
import { linkTypeText, StatusLine, summaryLines } from './summary';
import { SavefileWriter } from './writer';

/** Where nmdump's own messages go (stderr; a test may pass something else). */
export interface Console {
  error(text: string): void;
}

/** One packet, from whichever source; false stops the capture. */
type Sink = (data: Uint8Array, header: PacketHeader, linktype: number, port: number,
  direction: PacketDirection | undefined) => boolean;

async function openFile(o: NmdumpOptions, say: Console): Promise<Session> {
  const file = await openOffline(o.readFile!, { filter: o.filter });
  say.error(`reading from file ${o.readFile}, ${linkTypeText(file.datalink())}, snapshot length ${file.snaplen}`);
  return file;
}

/** Open every -i port (all or none: one that fails closes those already open). */
function openPorts(o: NmdumpOptions, say: Console): LiveSession[] {
  const options: LiveOptions = {
    snaplen: o.snaplen,
    promisc: !o.noPromisc,
    immediate: o.immediate,
    ...(o.bufferKiB !== undefined && { bufferSize: o.bufferKiB * 1024 }),
    ...(o.direction !== undefined && { direction: o.direction }),
    ...(o.filter !== undefined && { filter: o.filter }),
  };
  const names = o.devices.length > 0 ? o.devices : [chooseDevice()];
  const opened: LiveSession[] = [];
  try {
    for (const name of names) opened.push(openLive(name, options) as LiveSession);
  } catch (e) {
    for (const s of opened.reverse()) s.close();
    throw e;
  }
  if (o.verbose === 0 && o.writeFile === undefined) {
    say.error('nmdump: verbose output suppressed, use -v[v]... for full protocol decode');
  }
  for (const s of opened) {
    say.error(`nmdump: listening on ${s.device}, ${linkTypeText(s.datalink())}, snapshot length ${s.snaplen} bytes`);
  }
  return opened;
}

/**
 * Feed one source to the sink until it ends, the sink says stop, or the
 * signal aborts. Live ports being written to a file are read through their
 * ring, which knows each packet's direction; everything else through the
 * packet iterator.
 */
async function feed(s: Session, port: number, toFile: boolean, signal: AbortSignal, sink: Sink): Promise<void> {
  if (toFile && s instanceof LiveSession) {
    const linktype = s.datalink();
    await walkRing(s, signal, (data, header, direction) => sink(data, header, linktype, port, direction));
    return;
  }
  for await (const p of s.packets({ signal })) {
    if (!sink(p.data, p, p.linktype, port, undefined)) break;
  }
}

/** Counters of every port added up, for tcpdump's summary. */
function total(stats: Stats[]): Stats {
  return stats.reduce((a, s) => ({ recv: a.recv + s.recv, drop: a.drop + s.drop, ifdrop: a.ifdrop + s.ifdrop }),
    { recv: 0, drop: 0, ifdrop: 0 });
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
  let sessions: Session[] = [];
  let writer: SavefileWriter | undefined;
  let status: StatusLine | undefined;
  let captured = 0;
  let bytes = 0;
  let code = 0;
  try {
    const live = o.readFile === undefined;
    sessions = live ? openPorts(o, say) : [await openFile(o, say)];
    const stats = (): Stats[] => sessions.map((s) => s.stats());
    writer = o.writeFile !== undefined
      ? new SavefileWriter(o, sessions.map((s) => ({
        linktype: s.datalink(), snaplen: s.snaplen, name: live ? s.device : undefined, filter: o.filter,
      })), live ? stats : undefined)
      : undefined;
    const printer = writer ? undefined : new Printer(o);
    const out = printer ? new LineOutput(o.lineBuffered) : undefined;
    if (writer && o.writeFile !== '-') {
      status = new StatusLine(process.stderr, () => ({ packets: captured, bytes, drops: live ? total(stats()).drop : 0 }));
    }
    const sink: Sink = (data, header, linktype, port, direction) => {
      if (stop.signal.aborted) return false;
      captured++;
      bytes += header.len;
      if (writer && !writer.write(data, header, Date.now(), port, direction)) {
        captured--; // tcpdump stops before writing this one
        say.error(`Maximum file limit reached: ${o.fileCount}`);
        stop.abort();
        return false;
      }
      if (printer) {
        out!.line(printer.format(data, header, linktype));
        if (out!.broken) {
          stop.abort();
          return false;
        }
      }
      if (captured === o.count) {
        stop.abort();
        return false;
      }
      return true;
    };
    try {
      await Promise.all(sessions.map((s, i) => feed(s, i, writer !== undefined, stop.signal, sink)));
    } catch (e) {
      // A read error (a truncated file, a device gone): keep what was
      // captured, report it, and fail.
      stop.abort();
      say.error(`nmdump: ${(e as Error).message}`);
      code = 1;
    }
    out?.flush();
    status?.stop();
    await writer?.close();
    if (live) say.error(summaryLines(captured, total(stats())).trimEnd());
    return code;
  } finally {
    status?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const s of [...sessions].reverse()) s.close();
  }
}
