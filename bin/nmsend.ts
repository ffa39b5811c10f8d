#!/usr/bin/env node
/**
 * nmsend: inject, replay and generate packets on a port (see `nmsend -h`
 * and the README). The work is in bin/nmsend/.
 */
import { main } from './nmsend/main';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`nmsend: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
