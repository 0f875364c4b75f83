import { describe, expect, it } from 'vitest';
import { parameterImportance } from './sweep-analysis';

describe('parameter importance', () => {
  it('ranks the parameter that drives the metric first, with its sign', () => {
    const trials = Array.from({ length: 12 }, (_, i) => ({
      params: { lr: i / 12, noise: (i * 7) % 12, optimizer: i % 2 ? 'adam' : 'sgd' },
      score: 0.7 - (i / 12) * 0.3,
    }));
    const [first, ...rest] = parameterImportance(trials, ['noise', 'lr', 'optimizer'], { optimizer: ['sgd', 'adam'] });
    expect(first).toMatchObject({ parameter: 'lr', correlation: -1 });
    expect(first!.importance).toBeGreaterThan(0.7);
    for (const r of rest) expect(r.importance).toBeLessThan(first!.importance);
  });
});
