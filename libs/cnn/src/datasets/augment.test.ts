import { describe, expect, it } from 'vitest';
import { augmentationSchema } from '@moodlab/shared';
import { augmentInto } from './augment';
import { createRng } from './random';

const size = 8;
const still = { enabled: true, rotationDeg: 0, shift: 0, zoom: 0, horizontalFlip: false };

function augmentOnce(src: Uint8Array, options: Record<string, unknown>, seed: number): Float32Array {
  const out = new Float32Array(size * size);
  augmentInto(src, 0, size, augmentationSchema.parse({ ...still, ...options }), createRng(seed), out, 0);
  return out;
}

describe('photometric augmentation', () => {
  it('is off by default, so a run recorded before it existed trains the same', () => {
    const src = Uint8Array.from({ length: size * size }, (_, i) => (i * 37) % 256);
    expect(Array.from(augmentOnce(src, {}, 1))).toEqual(Array.from(src));
  });

  it('shifts brightness uniformly within the bound, in both directions over draws', () => {
    const gray = new Uint8Array(size * size).fill(128);
    const shifts = Array.from({ length: 40 }, (_, seed) => {
      const out = augmentOnce(gray, { brightness: 0.2 }, seed);
      expect(new Set(out).size).toBe(1);
      return out[0]! - 128;
    });
    expect(Math.max(...shifts.map(Math.abs))).toBeLessThanOrEqual(0.2 * 255 + 1e-3);
    expect(shifts.some((s) => s > 5) && shifts.some((s) => s < -5)).toBe(true);
  });

  it('keeps every pixel within [0, 255] under strong contrast and gamma', () => {
    const src = Uint8Array.from({ length: size * size }, (_, i) => (i % 2 ? 250 : 5));
    for (let seed = 0; seed < 20; seed++) {
      for (const v of augmentOnce(src, { contrast: 0.9, gamma: 1, brightness: 0.5 }, seed)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(255);
      }
    }
  });

  it('blurs a checkerboard to its mean away from the edges', () => {
    const board = Uint8Array.from({ length: size * size }, (_, i) =>
      ((i % size) + Math.floor(i / size)) % 2 ? 255 : 0,
    );
    const out = augmentOnce(board, { blur: 1 }, 3);
    for (let y = 1; y < size - 1; y++)
      for (let x = 1; x < size - 1; x++) expect(out[y * size + x]).toBeCloseTo(127.5, 3);
  });
});
