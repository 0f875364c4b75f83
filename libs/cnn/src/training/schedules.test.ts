import { describe, expect, it } from 'vitest';
import { learningRateAt } from './schedules';

describe('learning-rate schedules', () => {
  const base = { learningRate: 0.1, epochs: 9 };
  it('steps down by 10x every third of the run', () => {
    const lr = [0, 2, 3, 6, 8].map((e) => learningRateAt({ ...base, lrSchedule: 'step' }, e));
    [0.1, 0.1, 0.01, 0.001, 0.001].forEach((v, i) => expect(lr[i]).toBeCloseTo(v, 12));
  });
  it('follows a half cosine from the base rate', () => {
    expect(learningRateAt({ ...base, lrSchedule: 'cosine' }, 0)).toBeCloseTo(0.1);
    expect(learningRateAt({ ...base, lrSchedule: 'cosine' }, 4.5)).toBeCloseTo(0.05);
  });
  it('divides by 5 per plateau reduction', () => {
    expect(learningRateAt({ ...base, lrSchedule: 'plateau' }, 7, 2)).toBeCloseTo(0.1 * 0.04);
  });
});
