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

/** A recorded trial with how long each epoch took, and its time outside epochs (start-up, end of run). */
export interface TimedCurve extends TrialCurve {
  epochMs: readonly number[];
  overheadMs: number;
}

/**
 * What ASHA would have done to a sweep that ran every trial to the full budget: trials start in
 * index order, `parallelism` at a time, each taking its recorded time, and each meets each rung
 * (in epochs) with the trials that ASHA would have let reach that rung before it, under the same
 * rule as the live sweep. With deterministic training this is the live sweep's course, bought for
 * the cost of the full-budget sweep alone (tools/bench/sweep-asha.ts --replay). Times are in ms;
 * wallMs is when the last trial would have ended.
 */
export function simulateAsha(
  curves: readonly TimedCurve[],
  rungs: readonly number[],
  eta: number,
  parallelism: number,
): { trials: ReplayedTrial[]; wallMs: number } {
  const queue = [...curves].sort((a, b) => a.trialIndex - b.trialIndex);
  const reached = new Map<number, number[]>(rungs.map((r) => [r, []]));
  const done = new Map<number, ReplayedTrial>();
  const running: { curve: TimedCurve; epochs: number; endsAt: number }[] = [];
  const start = (at: number) => {
    const curve = queue[running.length + done.size];
    if (curve) running.push({ curve, epochs: 0, endsAt: at + curve.overheadMs + (curve.epochMs[0] ?? 0) });
  };
  for (let i = 0; i < Math.max(1, parallelism); i++) start(0);
  let clock = 0;
  while (running.length) {
    // The next epoch to end; on a tie the lower trial index, as the replay one at a time orders them.
    running.sort((a, b) => a.endsAt - b.endsAt || a.curve.trialIndex - b.curve.trialIndex);
    const t = running[0]!;
    clock = t.endsAt;
    const { trialIndex, scores } = t.curve;
    const epoch = ++t.epochs;
    const rung = rungs.indexOf(epoch);
    let stoppedAtRung: number | null = null;
    if (rung >= 0) {
      const own = scores[epoch - 1]!;
      const before = reached.get(epoch)!;
      const keep = ashaVerdict(own, [...before, own], eta).keep;
      before.push(own);
      if (!keep) stoppedAtRung = rung + 1;
    }
    if (stoppedAtRung === null && epoch < scores.length) {
      t.endsAt = clock + t.curve.epochMs[epoch]!;
      continue;
    }
    done.set(trialIndex, { trialIndex, epochs: epoch, stoppedAtRung, score: Math.max(...scores.slice(0, epoch)) });
    running.shift();
    start(clock);
  }
  return { trials: queue.map((c) => done.get(c.trialIndex)!), wallMs: clock };
}
