/**
 * mulberry32: a small, fast, seeded PRNG (32-bit outputs), so generated
 * captures and test cases are the same on every run. The bench's files
 * and the tests' randomised cases (test/helpers/prng.ts) share it.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
