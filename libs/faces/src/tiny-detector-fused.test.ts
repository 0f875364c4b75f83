import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@moodlab/cnn';
import { detectableFaces, framePng } from '../../../tools/demo/detectable-faces';
import { loadNodeFaceApi, decodeImage } from './node';
import type { FaceApi } from './detector';
import { fuseTinyFaceDetector, type TinyDetectorNet } from './tiny-detector-fused';

let api: FaceApi;
let stock: TinyDetectorNet['forwardInput'];

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  api = await loadNodeFaceApi(['tiny']);
  const net = api.nets.tinyFaceDetector;
  stock = net.forwardInput.bind(net);
});

const asInput = (batch: tf.Tensor4D) => ({ toBatchTensor: () => batch.clone() });

function relError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
}

describe("face-api's tiny face detector as fused kernels", () => {
  it('gives the grid face-api gives, on random images at each input size', async () => {
    const net = api.nets.tinyFaceDetector;
    const before = [];
    const inputs = [160, 224, 416].map((size, i) => tf.randomUniform([1, size, size, 3], 0, 255, 'float32', i + 1) as tf.Tensor4D);
    for (const x of inputs) before.push(await stock(asInput(x), x.shape[1]));
    expect(fuseTinyFaceDetector(net)).toBe(true);
    expect(net.forwardInput).not.toBe(stock);
    for (const [i, x] of inputs.entries()) {
      const after = await net.forwardInput(asInput(x), x.shape[1]);
      expect(after.shape).toEqual(before[i]!.shape);
      expect(relError(after, before[i]!)).toBeLessThan(1e-4);
      tf.dispose([after, before[i]!, x]);
    }
  });

  it('finds the same faces with the same boxes and scores as face-api on a test frame', async () => {
    const { faces } = await detectableFaces(4);
    const image = await decodeImage(await framePng(faces));
    const net = api.nets.tinyFaceDetector;
    const fusedPass = net.forwardInput;
    net.forwardInput = stock;
    const reference = await api.detectAllFaces(image.tensor, new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.4 }));
    net.forwardInput = fusedPass;
    const ours = await api.detectAllFaces(image.tensor, new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.4 }));
    image.tensor.dispose();
    expect(reference.length).toBeGreaterThan(0);
    expect(ours).toHaveLength(reference.length);
    ours.forEach((d, i) => {
      expect(d.score).toBeCloseTo(reference[i]!.score, 4);
      expect(d.box.x).toBeCloseTo(reference[i]!.box.x, 2);
      expect(d.box.width).toBeCloseTo(reference[i]!.box.width, 2);
    });
  });

  it('leaves nets of another layout as face-api runs them', () => {
    const regular: TinyDetectorNet = { params: {}, config: { withSeparableConvs: false }, forwardInput: () => tf.zeros([1, 1, 1, 1]) };
    const untouched = regular.forwardInput;
    expect(fuseTinyFaceDetector(regular)).toBe(false);
    expect(regular.forwardInput).toBe(untouched);
  });
});
