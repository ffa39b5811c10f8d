/**
 * The tests' one way to look at what a call threw. Test files assert with
 * tap's `t.throws(fn, { code })`; these are for recording an outcome to
 * judge later (fixtures in child processes, tables of cases) or for
 * looking at more than the code (`sent`, `frame`, `cause`).
 */
import { PcapError } from '../../lib/errors';

/** The PcapError code fn throws, 'none', or what else it threw. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return e instanceof PcapError ? e.code : `not a PcapError: ${String(e)}`;
  }
}

/** What fn threw, or undefined. */
export function errorOf<E = PcapError>(fn: () => unknown): E | undefined {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  return undefined;
}

/** What fn threw; a test failure ('did not throw') if nothing. */
export function thrownBy<E = PcapError>(fn: () => unknown): E {
  const e = errorOf<E>(fn);
  if (e === undefined) throw new Error('did not throw');
  return e;
}

/** A JSON-able record of what fn threw (code 'none' if nothing), for
 * fixtures that report to the test in another process. */
export function outcomeOf(fn: () => unknown): { name?: string; code: string; message?: string } {
  const e = errorOf<Error & { code?: unknown }>(fn);
  if (e === undefined) return { code: 'none' };
  return { name: e.constructor?.name, code: typeof e.code === 'string' ? e.code : `not a PcapError: ${String(e)}`,
    message: e.message };
}
