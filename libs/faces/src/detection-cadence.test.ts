import { describe, expect, it } from 'vitest';
import { DetectionCadence } from './detection-cadence';

const pattern = (c: DetectionCadence, faces: number[]) => faces.map((n) => (c.next(n) ? 'D' : '.')).join('');

describe('detection cadence', () => {
  it('detects every Nth frame while faces are known', () => {
    expect(pattern(new DetectionCadence(4), [1, 1, 1, 1, 1, 1, 1, 1, 1])).toBe('D...D...D');
  });

  it('detects on every frame while no face is known, then settles into the cadence', () => {
    expect(pattern(new DetectionCadence(3), [0, 0, 0, 1, 1, 1, 1])).toBe('DDD..D.');
  });

  it('with a cadence of 1 detects on every frame', () => {
    expect(pattern(new DetectionCadence(1), [1, 2, 1])).toBe('DDD');
  });

  it('rejects a cadence that is not a whole number of frames', () => {
    expect(() => new DetectionCadence(0)).toThrow(/whole number/);
    expect(() => new DetectionCadence(2.5)).toThrow(/whole number/);
  });
});
