import seedrandom from 'seedrandom';

/** A seeded source of randomness; everything stochastic in training draws from one of these. */
export interface Rng {
  next(): number;
  uniform(lo: number, hi: number): number;
  normal(): number;
  int(n: number): number;
}

export function createRng(seed: number | string): Rng {
  const prng = seedrandom(String(seed));
  const rng: Rng = {
    next: () => prng(),
    uniform: (lo, hi) => lo + (hi - lo) * prng(),
    normal: () => {
      const u = Math.max(prng(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * prng());
    },
    int: (n) => Math.floor(prng() * n),
  };
  return rng;
}

export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}
