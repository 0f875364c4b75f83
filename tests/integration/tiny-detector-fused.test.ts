import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@moodlab/cnn/backend';
import { fusedForwardInput, fuseTinyFaceDetector, type FaceApi, type TinyDetectorNet } from '@moodlab/faces';
import { loadNodeFaceApi, decodeImage } from '@moodlab/faces/node';
import { detectableFaces, framePng } from '../../tools/demo/detectable-faces';

let api: FaceApi;
let net: FaceApi['nets']['tinyFaceDetector'];
/** face-api's own pass: the class's method, which the fused pass shadows on the instance. */
let stock: TinyDetectorNet['forwardInput'];

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  api = await loadNodeFaceApi(['tiny']);
  net = api.nets.tinyFaceDetector;
  const method = (Object.getPrototypeOf(net) as TinyDetectorNet).forwardInput;
  stock = (input, size) => method.call(net, input, size);
});

const asInput = (batch: tf.Tensor4D) => ({ toBatchTensor: () => batch.clone() });

function relError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
}

describe("face-api's tiny face detector as fused kernels", () => {
  it('is what the server runs', () => {
    expect(net.forwardInput).not.toBe((Object.getPrototypeOf(net) as TinyDetectorNet).forwardInput);
    expect(fuseTinyFaceDetector(net, { leakyInKernel: false })).toBe(true);
  });

  for (const leakyInKernel of [true, false]) {
    it(`gives the grid face-api gives, on random images at each input size (leaky ReLU ${leakyInKernel ? 'in the kernel' : 'as ops'})`, async () => {
      const pass = fusedForwardInput(net, { leakyInKernel })!;
      for (const [i, size] of [160, 224, 416].entries()) {
        const x = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', i + 1) as tf.Tensor4D;
        const [ours, reference] = [await pass(asInput(x), size), await stock(asInput(x), size)];
        expect(ours.shape).toEqual(reference.shape);
        expect(relError(ours, reference)).toBeLessThan(1e-4);
        tf.dispose([ours, reference, x]);
      }
    });
  }

  it('finds the same faces with the same boxes and scores as face-api on a test frame', async () => {
    const { faces } = await detectableFaces(4);
    const image = await decodeImage(await framePng(faces));
    const detect = () =>
      api.detectAllFaces(image.tensor, new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.4 }));
    const ours = await detect();
    const fused = net.forwardInput;
    net.forwardInput = stock;
    const reference = await detect();
    net.forwardInput = fused;
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
    const regular: TinyDetectorNet = {
      params: {},
      config: { withSeparableConvs: false },
      forwardInput: () => tf.zeros([1, 1, 1, 1]),
    };
    const untouched = regular.forwardInput;
    expect(fuseTinyFaceDetector(regular, { leakyInKernel: true })).toBe(false);
    expect(regular.forwardInput).toBe(untouched);
  });
});
