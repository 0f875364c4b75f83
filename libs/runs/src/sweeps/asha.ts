/**
 * Asynchronous successive halving's rule at one rung (Li et al. 2020, as Optuna's
 * SuccessiveHalvingPruner applies it): of the trials that reached this rung so far, the top
 * max(1, floor(n / eta)) go on. With fewer than eta at the rung only the best goes on, so a
 * trial that arrives first always continues. Scores are higher-is-better.
 */
export interface RungVerdict {
  keep: boolean;
  /** The score a trial needed to go on: the k-th best at the rung. */
  cutoff: number;
  /** How many trials were at the rung, and how many of them go on. */
  atRung: number;
  promoted: number;
}

export function ashaVerdict(own: number, atRung: readonly number[], eta: number): RungVerdict {
  const sorted = [...atRung].sort((a, b) => b - a);
  const promoted = Math.max(1, Math.floor(sorted.length / eta));
  const cutoff = sorted[promoted - 1]!;
  return { keep: own >= cutoff, cutoff, atRung: sorted.length, promoted };
}
