/**
 * nmsend from argv to exit code: parse, check the input, open the port,
 * send, and print the summary however the run ends.
 */
import { readFileSync } from 'node:fs';
import { parseMac } from '../../lib/craft/address';
import { libVersion } from '../../lib/devices';
import { PcapError } from '../../lib/errors';
import { LiveSession, openLive } from '../../lib/live';
import { GenerateSource } from './generate-source';
import { Config, GenerateConfig, parseOptions } from './options';
import { Pacer } from './pacer';
import { startProgress, summaryLine } from './progress';
import { checkReplayFiles, ReplaySource } from './replay-source';
import { Sender, StopReason } from './sender';
import type { FrameSource } from './source';
import { USAGE } from './usage';
import { UsageError } from './usage-error';
import { packageVersion } from '../../lib/version';
import { cliMessage } from '../cli-message';

/** A locally administered address, for ports that have none of their own (pipes). */
const FALLBACK_MAC = '02:00:00:00:00:01';

/** The interface's own MAC, as the kernel reports it; the fallback if it has none. */
function interfaceMac(iface: string): Uint8Array {
  try {
    return parseMac(readFileSync(`/sys/class/net/${iface}/address`, 'utf8').trim());
  } catch {
    return parseMac(FALLBACK_MAC);
  }
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One line for any error: a PcapError's message already says the fix. */
function describe(err: unknown): string {
  if (err instanceof PcapError || err instanceof UsageError) return cliMessage(err.message);
  return `internal error: ${err instanceof Error ? err.message : String(err)}`;
}

async function makeSource(config: Exclude<Config, { mode: 'help' } | { mode: 'version' }>): Promise<FrameSource> {
  if (config.mode === 'replay') {
    await checkReplayFiles(config.files);
    return new ReplaySource(config.files, config.loops);
  }
  const gen: GenerateConfig = config;
  return new GenerateSource(gen, gen.srcMac ?? interfaceMac(gen.iface));
}

/** Open the port for sending only: 'in' keeps the kernel from copying our frames back to us. */
function openForSending(iface: string): LiveSession {
  return openLive(iface, { direction: 'in', promisc: false, bufferSize: 256 * 1024 });
}

/** Run nmsend with these arguments; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let config: Config;
  try {
    config = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    say(`nmsend: ${err.message}`);
    process.stderr.write(USAGE);
    return 1;
  }
  if (config.mode === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (config.mode === 'version') {
    process.stdout.write(`nmsend (netmap-pcap ${packageVersion})\n${libVersion()}\n`);
    return 0;
  }

  let source: FrameSource | undefined;
  let session: LiveSession | undefined;
  try {
    source = await makeSource(config);
    session = openForSending(config.iface);
  } catch (err) {
    source?.close();
    say(`nmsend: ${describe(err)}`);
    return 1;
  }

  const sender = new Sender(session.txRing(), source, new Pacer(config.pacing), config);
  const onSignal = (): void => sender.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopProgress = startProgress(sender.totals);
  let why: StopReason;
  let failure: unknown;
  try {
    why = await sender.run();
    if (!(await sender.flush())) failure = new PcapError(`frames still queued on ${config.iface} after 2 s`, 'EAGAIN');
  } catch (err) {
    why = 'error';
    failure = err;
  } finally {
    stopProgress();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    source.close();
    session.close();
  }
  say(summaryLine(sender.totals, why));
  if (failure === undefined) return 0;
  say(`nmsend: ${describe(failure)}`);
  return 1;
}
