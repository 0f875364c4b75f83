import { describe, expect, it } from 'vitest';
import { bestMatch, boxIou } from './box-match';

describe('box matching', () => {
  const truth = { x: 0, y: 0, width: 10, height: 10 };

  it('measures overlap as intersection over union', () => {
    expect(boxIou(truth, truth)).toBe(1);
    expect(boxIou(truth, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150);
    expect(boxIou(truth, { x: 20, y: 20, width: 5, height: 5 })).toBe(0);
  });

  it('takes the best-overlapping detection, and none that overlaps too little', () => {
    const near = { box: { x: 1, y: 1, width: 10, height: 10 }, id: 'near' };
    const off = { box: { x: 6, y: 6, width: 10, height: 10 }, id: 'off' };
    expect(bestMatch([off, near], truth)?.id).toBe('near');
    expect(bestMatch([off], truth)).toBeUndefined();
  });
});
