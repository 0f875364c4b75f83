import { describe, expect, it } from 'vitest';
import { describeFinishing, describeProgress } from './progress';

describe('run and model descriptions', () => {
  it('describes the weight average and the BatchNorm recalibration from a stored summary, and ignores what it cannot read', () => {
    expect(describeFinishing({ epochs: 16, averaged: { epochs: 6, valAccuracy: 0.6574, used: true }, recalibrated: { images: 8192, valAccuracyBefore: 0.6574, valAccuracy: 0.6667, used: true }, recalibratedFrom: { version: 1, dataset: 'fer2013' } })).toEqual([
      'weights averaged over the last 6 epochs (val 65.7%): used',
      'BatchNorm statistics recomputed over 8192 training images from v1 (val 65.7% → 66.7%): kept',
    ]);
    expect(describeFinishing({ recalibrated: { images: 10, valAccuracyBefore: null, valAccuracy: null, used: false } })).toEqual(['BatchNorm statistics recomputed over 10 training images (val – → –): discarded']);
    expect(describeFinishing({ epochs: 3, averaged: 'garbled' })).toEqual([]);
    expect(describeFinishing(null)).toEqual([]);
  });

  it('says which BatchNorm layer a run is calibrating, and otherwise the epoch and batch', () => {
    expect(describeProgress({ phase: 'calibrating', epoch: 3, epochs: 3, batch: 2, batches: 7, fraction: 1 })).toBe('recomputing BatchNorm statistics: layer 2/7');
    expect(describeProgress({ phase: 'training', epoch: 0, epochs: 3, batch: 5, batches: 10, fraction: 0.2 })).toBe('training: epoch 1/3, batch 5/10');
  });
});
