import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AUTO_FALLBACK_MIN_SCORE, DEFAULT_MIN_SCORE, detectFaces, type FaceApi } from './detector';

/**
 * A stand-in for face-api whose only face scores `faceScore`: it answers a detection pass with
 * that face when the pass's threshold lets it through, and records each pass's input size and threshold.
 */
function fakeApi(faceScore: number) {
  const passes: { inputSize?: number; scoreThreshold?: number }[] = [];
  const api: FaceApi = {
    nets: {
      tinyFaceDetector: { loadFromUri: async () => {}, isLoaded: true, forwardInput: () => tf.zeros([1, 1, 1, 1]) },
      ssdMobilenetv1: { loadFromUri: async () => {}, isLoaded: true },
    },
    TinyFaceDetectorOptions: class {
      constructor(readonly o: { inputSize?: number; scoreThreshold?: number }) {}
    },
    SsdMobilenetv1Options: class {
      constructor(readonly o: { minConfidence?: number }) {}
    },
    detectAllFaces: async (_input, options) => {
      const o = (options as { o: { inputSize?: number; scoreThreshold?: number } }).o;
      passes.push(o);
      return faceScore >= (o.scoreThreshold ?? 0)
        ? [{ score: faceScore, box: { x: 10, y: 10, width: 20, height: 20 } }]
        : [];
    },
  };
  return { api, passes };
}

describe('detectFaces with the automatic input size', () => {
  const frame = tf.zeros([224, 224, 3]) as tf.Tensor3D;

  it('stops at the first pass that finds a face at the default score', async () => {
    const { api, passes } = fakeApi(0.8);
    expect(await detectFaces(api, frame, { kind: 'tiny', inputSize: 'auto', framing: null })).toHaveLength(1);
    expect(passes).toEqual([{ inputSize: 224, scoreThreshold: DEFAULT_MIN_SCORE }]);
  });

  it('lowers the bar only after every size found nothing at the default score', async () => {
    const { api, passes } = fakeApi(0.3);
    const found = await detectFaces(api, frame, { kind: 'tiny', inputSize: 'auto', framing: null });
    expect(found.map((f) => f.score)).toEqual([0.3]);
    expect(passes.map((p) => [p.inputSize, p.scoreThreshold])).toEqual([
      [224, DEFAULT_MIN_SCORE],
      [416, DEFAULT_MIN_SCORE],
      [224, AUTO_FALLBACK_MIN_SCORE],
    ]);
  });

  it("keeps a caller's own score threshold, with no fallback", async () => {
    const { api, passes } = fakeApi(0.3);
    expect(await detectFaces(api, frame, { kind: 'tiny', inputSize: 'auto', minScore: 0.5, framing: null })).toEqual(
      [],
    );
    expect(passes.map((p) => p.scoreThreshold)).toEqual([0.5, 0.5]);
  });
});
