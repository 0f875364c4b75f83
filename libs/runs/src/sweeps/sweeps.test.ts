import { describe, expect, it } from 'vitest';
import { sweepSpecSchema, type SweepSpecInput } from '@moodlab/shared';
import { ashaVerdict, simulateAsha, type TrialCurve } from './asha';

/** Curves replayed one trial at a time, where only their order matters. */
const replayOneAtATime = (curves: TrialCurve[], rungs: number[], eta: number) =>
  simulateAsha(
    curves.map((c) => ({ ...c, epochMs: c.scores.map(() => 1), overheadMs: 0 })),
    rungs,
    eta,
    1,
  ).trials;
import { gridPoint, gridSize, sampleRandom, seededRandom, trialHyperparameters, validateSpace } from './search-space';
import { suggestTpe, type Observation } from './tpe';

const spec = (over: Partial<SweepSpecInput> = {}) =>
  sweepSpecSchema.parse({
    name: 's',
    datasetId: '00000000-0000-4000-8000-000000000000',
    space: { learningRate: { kind: 'log-uniform', low: 1e-4, high: 1e-2 } },
    budget: { trials: 4, maxEpochs: 3 },
    ...over,
  });

describe('search spaces', () => {
  it('refuse what cannot be searched, naming the field', () => {
    const refused = (over: Partial<SweepSpecInput>) => () => validateSpace(spec(over));
    expect(refused({ space: { learningRate: { kind: 'uniform', low: 0.01, high: 0.001 } } })).toThrow(
      'space.learningRate: low (0.01) must be below high (0.001)',
    );
    expect(refused({ space: { learningRate: { kind: 'log-uniform', low: 0, high: 0.01 } } })).toThrow(
      'space.learningRate: a log-uniform range must stay above 0',
    );
    expect(refused({ space: { learningRat: { kind: 'fixed', value: 1 } } })).toThrow(
      'space.learningRat: no such hyperparameter',
    );
    expect(refused({ space: { 'augmentation.zoom': { kind: 'uniform', low: 0, high: 0.9 } } })).toThrow(
      /space.augmentation.zoom: 0.9 is not allowed/,
    );
    expect(refused({ space: { epochs: { kind: 'int', low: 1, high: 5 } } })).toThrow(/space.epochs: set by the sweep/);
    const tenThousand = Array.from({ length: 100 }, (_, i) => i / 1000);
    expect(
      refused({
        method: 'grid',
        space: {
          learningRate: { kind: 'choice', values: tenThousand.map((v) => v + 1e-4) },
          weightDecay: { kind: 'choice', values: tenThousand },
        },
      }),
    ).toThrow('space: a grid of 10000 points; at most 1000');
    expect(refused({ method: 'grid' })).toThrow(/a grid needs the values listed/);
    expect(() => spec({ metric: 'f1' as never })).toThrow('a sweep optimises valAccuracy or valLoss');
  });

  it('enumerate a grid, the last parameter fastest, and set values at their paths', () => {
    const s = spec({
      method: 'grid',
      space: {
        learningRate: { kind: 'choice', values: [0.001, 0.01] },
        'augmentation.zoom': { kind: 'choice', values: [0, 0.1, 0.2] },
      },
    });
    expect(gridSize(s.space)).toBe(6);
    expect([0, 1, 3].map((i) => gridPoint(s.space, i))).toEqual([
      { learningRate: 0.001, 'augmentation.zoom': 0 },
      { learningRate: 0.001, 'augmentation.zoom': 0.1 },
      { learningRate: 0.01, 'augmentation.zoom': 0 },
    ]);
    const hp = trialHyperparameters(s, gridPoint(s.space, 5));
    expect(hp).toMatchObject({ learningRate: 0.01, epochs: 3, augmentation: { zoom: 0.2, shift: 0.1 } });
  });

  it('draw random values inside each range, the same for the same seed and trial', () => {
    const s = spec({
      space: {
        learningRate: { kind: 'log-uniform', low: 1e-4, high: 1e-2 },
        batchSize: { kind: 'choice', values: [32, 64] },
        earlyStoppingPatience: { kind: 'int', low: 0, high: 3 },
      },
    });
    for (let i = 0; i < 50; i++) {
      const p = sampleRandom(s.space, seededRandom(1, i));
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(p.learningRate).toBeLessThanOrEqual(1e-2);
      expect([32, 64]).toContain(p.batchSize);
      expect([0, 1, 2, 3]).toContain(p.earlyStoppingPatience);
    }
    expect(sampleRandom(s.space, seededRandom(1, 7))).toEqual(sampleRandom(s.space, seededRandom(1, 7)));
  });
});

describe('TPE', () => {
  it('finds the optimum of a noisy 1-d function with fewer evaluations than random search', () => {
    const space = { learningRate: { kind: 'log-uniform' as const, low: 1e-5, high: 1 } };
    // Best at 1e-3: the score falls with the distance in decades.
    const f = (lr: number) => -Math.abs(Math.log10(lr) + 3);
    const run = (method: 'tpe' | 'random', seed: number) => {
      const obs: Observation[] = [];
      for (let i = 0; i < 25; i++) {
        const random = seededRandom(seed, i);
        const params = method === 'tpe' && i >= 5 ? suggestTpe(space, obs, random) : sampleRandom(space, random);
        obs.push({ params, score: f(params.learningRate as number) });
      }
      return Math.max(...obs.map((o) => o.score));
    };
    const seeds = Array.from({ length: 20 }, (_, s) => s);
    const mean = (m: 'tpe' | 'random') => seeds.reduce((a, s) => a + run(m, s), 0) / seeds.length;
    expect(mean('tpe')).toBeGreaterThan(mean('random'));
    expect(mean('tpe')).toBeGreaterThan(-0.1);
  });

  it('prefers the choice that scored well', () => {
    const space = { optimizer: { kind: 'choice' as const, values: ['adam', 'sgd'] } };
    const obs: Observation[] = [
      ...Array.from({ length: 6 }, () => ({ params: { optimizer: 'adam' }, score: 0.6 })),
      ...Array.from({ length: 6 }, () => ({ params: { optimizer: 'sgd' }, score: 0.3 })),
    ];
    const picks = Array.from({ length: 20 }, (_, i) => suggestTpe(space, obs, seededRandom(3, i)).optimizer);
    expect(picks.filter((p) => p === 'adam').length).toBeGreaterThan(15);
  });
});

describe('ASHA at a rung', () => {
  it('keeps the top max(1, floor(n / eta)) of the trials that reached it', () => {
    expect(ashaVerdict(0.5, [0.5], 3).keep).toBe(true); // the first one always goes on
    expect(ashaVerdict(0.4, [0.5, 0.4], 3)).toMatchObject({ keep: false, cutoff: 0.5, promoted: 1 });
    expect(ashaVerdict(0.4, [0.5, 0.4, 0.3, 0.2, 0.1, 0.45], 3)).toMatchObject({
      keep: false,
      cutoff: 0.45,
      promoted: 2,
    });
    expect(ashaVerdict(0.45, [0.5, 0.4, 0.3, 0.2, 0.1, 0.45], 3).keep).toBe(true);
  });
});

describe('ASHA replayed on full-budget curves', () => {
  it('stops each trial where the live rule would, against only the trials it let reach the rung', () => {
    // Rungs at epochs 1 and 3 of 4, eta 3; trials run one at a time in index order.
    const replayed = replayOneAtATime(
      [
        { trialIndex: 0, scores: [0.3, 0.4, 0.5, 0.55] }, // first at each rung: goes on
        { trialIndex: 1, scores: [0.2, 0.5, 0.6, 0.7] }, // 0.2 < 0.3 at rung 1: stopped after 1 epoch
        { trialIndex: 2, scores: [0.35, 0.4, 0.45, 0.5] }, // best at rung 1; 0.45 < 0.5 at rung 3
        { trialIndex: 3, scores: [0.1, 0.2, 0.3, 0.9] }, // rung 1: top 1 of 4 is 0.35
        { trialIndex: 4, scores: [0.36, 0.5, 0.52, 0.6] }, // rung 1: best; rung 3: top 1 of 3 is 0.52 itself
        { trialIndex: 5, scores: [0.34, 0.5, 0.6, 0.61] }, // rung 1: top 2 of 6 are 0.36 and 0.35
      ],
      [1, 3],
      3,
    );
    expect(replayed.map((t) => [t.epochs, t.stoppedAtRung])).toEqual([
      [4, null],
      [1, 1],
      [3, 2],
      [1, 1],
      [4, null],
      [1, 1],
    ]);
    // A trial's score is its best over the epochs it would have trained, not over its whole curve.
    expect(replayed[1]!.score).toBe(0.2);
    expect(replayed[2]!.score).toBe(0.45);
  });

  it('runs trials two at a time on their recorded epoch times: the first to reach a rung goes on', () => {
    // Rung at epoch 1 of 2, eta 2. One at a time, trial 1 meets trial 0's 0.5 at the rung and stops;
    // two at a time, its shorter epoch reaches the rung first, alone, and it goes on.
    const curves = [
      { trialIndex: 0, scores: [0.5, 0.6], epochMs: [10, 10], overheadMs: 0 },
      { trialIndex: 1, scores: [0.4, 0.7], epochMs: [5, 5], overheadMs: 0 },
      { trialIndex: 2, scores: [0.45, 0.8], epochMs: [10, 10], overheadMs: 0 },
    ];
    const one = simulateAsha(curves, [1], 2, 1);
    expect(one.trials.map((t) => [t.epochs, t.stoppedAtRung])).toEqual([
      [2, null],
      [1, 1],
      [1, 1],
    ]);
    expect(one.wallMs).toBe(20 + 5 + 10);
    const two = simulateAsha(curves, [1], 2, 2);
    // Trial 2 starts when trial 1 ends (10 ms) and meets 0.4 and 0.5 at the rung at 20 ms.
    expect(two.trials.map((t) => [t.epochs, t.stoppedAtRung])).toEqual([
      [2, null],
      [2, null],
      [1, 1],
    ]);
    expect(two.wallMs).toBe(20);
    expect(two.trials[1]!.score).toBe(0.7);
    // Time outside epochs delays everything after it.
    expect(
      simulateAsha(
        curves.map((c) => ({ ...c, overheadMs: 3 })),
        [1],
        2,
        1,
      ).wallMs,
    ).toBe(35 + 9);
  });
});
