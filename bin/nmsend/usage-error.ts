/**
 * A mistake on the command line: nmsend prints its message on one line,
 * then the usage, and exits 1.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
