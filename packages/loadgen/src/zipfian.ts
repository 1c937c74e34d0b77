/**
 * Zipfian key indexes in [0, n), as YCSB draws them (Gray et al., "Quickly generating
 * billion-record synthetic databases"), theta 0.99 by default. Ranks are scattered over the key
 * space by a multiplicative permutation, so the hot keys are not the first ones.
 */
export function zipfian(n: number, random: () => number, theta = 0.99): () => number {
  if (!(n >= 2)) throw new RangeError(`zipfian needs at least 2 items, got ${n}`);
  let zetan = 0;
  for (let i = 1; i <= n; i++) zetan += 1 / Math.pow(i, theta);
  const zeta2 = 1 + 1 / Math.pow(2, theta);
  const alpha = 1 / (1 - theta);
  const eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / zetan);
  const half = 1 + Math.pow(0.5, theta);
  const multiplier = pickMultiplier(n);
  return () => {
    const u = random();
    const uz = u * zetan;
    let rank: number;
    if (uz < 1) rank = 0;
    else if (uz < half) rank = 1;
    else rank = Math.min(n - 1, Math.floor(n * Math.pow(eta * u - eta + 1, alpha)));
    return (rank * multiplier) % n;
  };
}

/** A multiplier coprime with n (so i -> i * m mod n is a permutation), small enough to stay exact. */
function pickMultiplier(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  for (const candidate of [999_983, 999_979, 999_961, 7919, 1]) if (gcd(candidate % n || n, n) === 1) return candidate;
  return 1;
}
