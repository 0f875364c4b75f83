import type { ParameterRange, SweepSpec } from '@moodlab/shared';
import { fromUnit, toUnit, type TrialParams } from './search-space';

/** A finished (or stopped) trial as the search sees it; `score` is higher-is-better. */
export interface Observation {
  params: TrialParams;
  score: number;
}

const CANDIDATES = 24;
const GOOD_FRACTION = 0.25;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), per parameter as Optuna's default: the
 * observations split into the best quarter (good) and the rest (bad); each parameter draws
 * candidates from a density around the good values and keeps the one where good/bad density is
 * highest. Numeric ranges work in their unit scale (log for log-uniform), choices by smoothed
 * counts. No maintained npm package implements this, so it is written here, small and tested.
 */
export function suggestTpe(space: SweepSpec['space'], observations: Observation[], random: () => number): TrialParams {
  const sorted = [...observations].sort((a, b) => b.score - a.score);
  const nGood = Math.max(1, Math.ceil(sorted.length * GOOD_FRACTION));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  return Object.fromEntries(Object.entries(space).map(([path, r]) => [path, suggestOne(r, path, good, bad, random)]));
}

function suggestOne(
  r: ParameterRange,
  path: string,
  good: Observation[],
  bad: Observation[],
  random: () => number,
): string | number | boolean {
  if (r.kind === 'fixed') return r.value;
  if (r.kind === 'choice') {
    const weights = (obs: Observation[]) => {
      // One pseudo-count per value: the prior that keeps every value possible.
      const w = r.values.map(() => 1);
      for (const o of obs) {
        const i = r.values.indexOf(o.params[path]!);
        if (i >= 0) w[i]! += 1;
      }
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / total);
    };
    const l = weights(good),
      g = weights(bad);
    let best = 0,
      bestRatio = -Infinity;
    for (let c = 0; c < CANDIDATES; c++) {
      const i = drawIndex(l, random());
      const ratio = l[i]! / g[i]!;
      if (ratio > bestRatio) [best, bestRatio] = [i, ratio];
    }
    return r.values[best]!;
  }
  const unit = (obs: Observation[]) =>
    obs
      .map((o) => o.params[path])
      .filter((v): v is number => typeof v === 'number')
      .map((v) => toUnit(r, v));
  const l = unit(good),
    g = unit(bad);
  const bandwidth = (n: number) => Math.max(0.05, 0.5 / Math.sqrt(n + 1));
  const bl = bandwidth(l.length),
    bg = bandwidth(g.length);
  let best = random(),
    bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    // Half of the candidates around a good value, the rest from the prior: both densities mix in a uniform prior.
    const u =
      l.length && random() < 0.75 ? clamp(l[Math.floor(random() * l.length)]! + bl * gaussian(random)) : random();
    const score = Math.log(density(u, l, bl)) - Math.log(density(u, g, bg));
    if (score > bestScore) [best, bestScore] = [u, score];
  }
  return fromUnit(r, Math.min(best, 0.999999));
}

/** A Parzen density on [0, 1]: Gaussians at the points plus one uniform component. */
function density(u: number, points: number[], bandwidth: number): number {
  let sum = 1;
  for (const p of points) sum += Math.exp(-0.5 * ((u - p) / bandwidth) ** 2) / (bandwidth * Math.sqrt(2 * Math.PI));
  return sum / (points.length + 1);
}

function clamp(u: number): number {
  return Math.min(1, Math.max(0, u));
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function drawIndex(probabilities: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < probabilities.length; i++) if ((acc += probabilities[i]!) > u) return i;
  return probabilities.length - 1;
}
