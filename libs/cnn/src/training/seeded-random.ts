import seedrandom from 'seedrandom';

/**
 * TF.js draws dropout masks and unseeded random ops from Math.random. Training replaces it with
 * a generator seeded per epoch (and replica), so runs repeat exactly and a run resumed at an
 * epoch boundary continues as if never stopped. Returns the function that restores it.
 */
export function seedMathRandom(seed: string): () => void {
  const original = Math.random;
  Math.random = seedrandom(seed);
  return () => {
    Math.random = original;
  };
}
