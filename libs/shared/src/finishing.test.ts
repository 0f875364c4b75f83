import { describe, expect, it } from 'vitest';
import { describeFinishing } from './finishing';

describe('finishing descriptions', () => {
  it('describes the weight average and the BatchNorm recalibration from a stored summary, and ignores what it cannot read', () => {
    expect(
      describeFinishing({
        epochs: 16,
        averaged: { epochs: 6, valAccuracy: 0.6574, used: true },
        recalibrated: { images: 8192, valAccuracyBefore: 0.6574, valAccuracy: 0.6667, used: true },
        recalibratedFrom: { version: 1, dataset: 'fer2013' },
      }),
    ).toEqual([
      'weights averaged over the last 6 epochs (val 65.7%): used',
      'BatchNorm statistics recomputed over 8192 training images from v1 (val 65.7% → 66.7%): kept',
    ]);
    expect(
      describeFinishing({ recalibrated: { images: 10, valAccuracyBefore: null, valAccuracy: null, used: false } }),
    ).toEqual(['BatchNorm statistics recomputed over 10 training images (val – → –): discarded']);
    expect(describeFinishing({ epochs: 3, averaged: 'garbled' })).toEqual([]);
    expect(describeFinishing(null)).toEqual([]);
  });
});
