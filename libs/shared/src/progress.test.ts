import { describe, expect, it } from 'vitest';
import { describeProgress } from './progress';

describe('progress descriptions', () => {
  it('says which BatchNorm layer a run is calibrating, and otherwise the epoch and batch', () => {
    expect(describeProgress({ phase: 'calibrating', epoch: 3, epochs: 3, batch: 2, batches: 7, fraction: 1 })).toBe(
      'recomputing BatchNorm statistics: layer 2/7',
    );
    expect(describeProgress({ phase: 'training', epoch: 0, epochs: 3, batch: 5, batches: 10, fraction: 0.2 })).toBe(
      'training: epoch 1/3, batch 5/10',
    );
  });
});
