#!/usr/bin/env node
/** nmdump, the tcpdump-like capture command (see bin/nmdump/main.ts). */
import { main } from './nmdump/main';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  // A bug, not a user error: still one line, with where it happened.
  const err = e as Error;
  process.stderr.write(`nmdump: internal error: ${err.message} (${err.stack?.split('\n')[1]?.trim() ?? ''})\n`);
  process.exitCode = 2;
});
