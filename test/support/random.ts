// Seeded randomness, so the soak and fault scenarios are the same on every run.

/** A small seeded PRNG (mulberry32, shared with the benchmarks). */
export { seededRandom } from '../../scripts/lib/seeded-random.mjs';

/** A shuffled copy of `items` (Fisher–Yates) drawing on `random`. */
export function shuffle<T>(items: T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
