/** A small seeded PRNG (mulberry32): reproducible key choices, cheap on the hot path. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform key indexes in [0, n). */
export function uniform(n: number, random: () => number): () => number {
  return () => Math.floor(random() * n);
}
