/**
 * nmdump: parse the flags, then list devices, print help, or capture.
 * Every failure is one line on stderr and exit code 1, never a stack trace.
 */
import { libVersion, PcapError } from '../../index';
import { packageVersion } from '../../lib/version';
import { cliMessage } from '../cli-message';
import { capture, Console } from './capture';
import { deviceList } from './devices';
import { parseOptions, UsageError } from './options';
import { USAGE } from './usage';

const stderr: Console = { error: (text) => process.stderr.write(`${text}\n`) };

/** Run nmdump with `argv` (the arguments after the script); resolves with the exit code. */
export async function main(argv: string[], say: Console = stderr): Promise<number> {
  try {
    const o = parseOptions(argv);
    switch (o.action) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'version':
        process.stdout.write(`nmdump (netmap-pcap ${packageVersion})\n${libVersion()}\n`);
        return 0;
      case 'list': {
        const list = deviceList();
        process.stdout.write(list ? `${list}\n` : '');
        return 0;
      }
      default:
        return await capture(o, say);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      say.error(`nmdump: ${e.message}\n${USAGE}`);
      return 1;
    }
    if (e instanceof PcapError) {
      say.error(`nmdump: ${cliMessage(e.message)}`);
      return 1;
    }
    throw e;
  }
}
