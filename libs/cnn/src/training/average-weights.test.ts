import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { averageWeightsInto } from './average-weights';
import { getArchitecture } from './models/registry';

const build = (arch: string, seed: number) => getArchitecture(arch).build({ imageSize: 48, numClasses: 7, seed });

describe('averageWeightsInto', () => {
  it("sets every weight, BatchNorm statistics included, to the models' mean", () => {
    const [a, b, c] = [build('small-cnn', 1), build('small-cnn', 2), build('small-cnn', 3)];
    const expected = a.getWeights().map((w, i) => tf.addN([w, b.getWeights()[i]!, c.getWeights()[i]!]).div(3));
    averageWeightsInto(a, [b, c]);
    const got = a.getWeights();
    expect(got.length).toBe(expected.length);
    const largestError = Math.max(...got.map((w, i) => w.sub(expected[i]!).abs().max().dataSync()[0]!));
    expect(largestError).toBeLessThan(1e-6);
    // The others are left as they were.
    expect(b.getWeights()[0]!.sub(got[0]!).abs().max().dataSync()[0]).toBeGreaterThan(1e-3);
  });

  it('refuses a model of another topology and leaves the first unchanged', () => {
    const a = build('small-cnn', 1);
    const before = a.getWeights().map((w) => Array.from(w.dataSync()));
    expect(() => averageWeightsInto(a, [build('vgg-lite', 1)])).toThrow(/weight/);
    expect(a.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });
});
