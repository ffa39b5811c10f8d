/**
 * The one seeded PRNG of the tests (mulberry32, shared with the bench):
 * every randomised case is made from a seed the test prints or fixes, so
 * a failure replays exactly. Returns numbers in [0, 1).
 */
import { mulberry32 } from '../../bench/prng';

export function prng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
