import { describe, expect, it } from 'vitest';
import { balancedClassWeights } from './class-weights';

describe('balancedClassWeights', () => {
  const labels = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]); // 8, 2, 1 of 11; class 3 absent

  it('weighs each class by its inverse frequency, and an absent class by 0', () => {
    const w = balancedClassWeights(labels, 4);
    expect(Array.from(w)).toEqual([11 / 32, 11 / 8, 11 / 4, 0].map(Math.fround));
  });

  it('takes the square root at power 0.5, keeping the order but narrowing the range', () => {
    const full = balancedClassWeights(labels, 4);
    const mild = balancedClassWeights(labels, 4, 0.5);
    for (let c = 0; c < 3; c++) expect(mild[c]).toBeCloseTo(Math.sqrt(full[c]!), 5);
    expect(mild[2]! / mild[0]!).toBeLessThan(full[2]! / full[0]!);
    expect(mild[3]).toBe(0);
  });
});
