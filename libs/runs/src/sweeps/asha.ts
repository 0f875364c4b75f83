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

/** One trial's recorded scores, one per epoch in order (higher is better). */
export interface TrialCurve {
  trialIndex: number;
  scores: readonly number[];
}

export interface ReplayedTrial {
  trialIndex: number;
  /** Epochs the trial would have trained: all of its curve, or up to the rung that stopped it. */
  epochs: number;
  stoppedAtRung: number | null;
  /** The trial's score over those epochs: its best, as trialScore takes it. */
  score: number;
}

/**
 * What ASHA would have done to a sweep that ran every trial to the full budget, one trial at a
 * time in index order: each trial meets each rung (in epochs) with the trials before it that
 * ASHA would have let reach that rung, under the same rule as the live sweep. With deterministic
 * training and one trial at a time this is exactly the live sweep's course, bought for the cost
 * of the full-budget sweep alone (tools/bench/sweep-asha.ts --replay).
 */
export function replayAsha(curves: readonly TrialCurve[], rungs: readonly number[], eta: number): ReplayedTrial[] {
  const reached = new Map<number, number[]>(rungs.map((r) => [r, []]));
  return [...curves]
    .sort((a, b) => a.trialIndex - b.trialIndex)
    .map(({ trialIndex, scores }) => {
      let epochs = scores.length;
      let stoppedAtRung: number | null = null;
      for (const [i, rung] of rungs.entries()) {
        if (rung > scores.length) break;
        const own = scores[rung - 1]!;
        const before = reached.get(rung)!;
        const keep = ashaVerdict(own, [...before, own], eta).keep;
        before.push(own);
        if (!keep) {
          epochs = rung;
          stoppedAtRung = i + 1;
          break;
        }
      }
      return { trialIndex, epochs, stoppedAtRung, score: Math.max(...scores.slice(0, epochs)) };
    });
}
