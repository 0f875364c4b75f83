import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '@moodlab/shared';
import { classCounts } from './labeled-images';
import { packDataset, unpackSplit } from './pack';
import { generateSyntheticFaces } from './synthetic-faces';

describe('synthetic faces and dataset packing', () => {
  const train = generateSyntheticFaces({ perClass: 5, seed: 1 });
  const validation = generateSyntheticFaces({ perClass: 2, seed: 2 });

  it('draws balanced, deterministic 48x48 faces', () => {
    expect(train.images.length).toBe(35 * 48 * 48);
    expect(Object.values(classCounts(train, EMOTIONS))).toEqual([5, 5, 5, 5, 5, 5, 5]);
    expect(generateSyntheticFaces({ perClass: 5, seed: 1 }).images).toEqual(train.images);
    expect(generateSyntheticFaces({ perClass: 5, seed: 3 }).images).not.toEqual(train.images);
  });

  it('round-trips splits through a pack and digests its content', () => {
    const packed = packDataset(48, EMOTIONS, { train, validation });
    const back = unpackSplit(packed.meta, packed.data, 'validation');
    expect(back.labels).toEqual(validation.labels);
    expect(back.images).toEqual(validation.images);
    const changed = packDataset(48, EMOTIONS, { train, validation: generateSyntheticFaces({ perClass: 2, seed: 9 }) });
    expect(changed.digest).not.toBe(packed.digest);
    expect(() => unpackSplit(packed.meta, packed.data, 'test')).toThrow(/no "test" split/);
  });

  it('rejects images of the wrong size', () => {
    expect(() => packDataset(56, EMOTIONS, { train })).toThrow(/48px images, expected 56px/);
  });
});
