import { describe, expect, it } from 'vitest';
import { classificationReport } from './metrics';

describe('classificationReport', () => {
  it('computes accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix', () => {
    const r = classificationReport([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], ['a', 'b', 'c']);
    expect(r.accuracy).toBeCloseTo(4 / 6);
    expect(r.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(r.perClass[1]).toMatchObject({ label: 'b', precision: 2 / 3, recall: 1, support: 2 });
    expect(r.perClass[1]!.f1).toBeCloseTo(0.8);
    expect(r.macroF1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3);
  });

  it('gives 0 (not NaN) for a class never predicted', () => {
    const r = classificationReport([0, 1], [0, 0], ['a', 'b']);
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });
});
