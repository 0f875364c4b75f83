import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { modelMetadataSchema } from '@moodlab/cnn/inference';
import { classifyFaces } from './classify';

/**
 * A two-class model that scores "left brighter than right": flatten, then one dense unit per
 * class with +1 / -1 weights on the left and right halves of the 48x48 crop.
 */
function leftRightModel(): tf.LayersModel {
  const side = Float32Array.from({ length: 48 * 48 }, (_, i) => (i % 48 < 24 ? 1 : -1) / 100);
  const kernel = new Float32Array(48 * 48 * 2);
  side.forEach((s, i) => {
    kernel[i * 2] = s;
    kernel[i * 2 + 1] = -s;
  });
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [48, 48, 1] }),
      tf.layers.dense({ units: 2, activation: 'softmax', useBias: false }),
    ],
  });
  model.layers[1]!.setWeights([tf.tensor2d(kernel, [48 * 48, 2])]);
  return model;
}

const metadata = modelMetadataSchema.parse({
  classNames: ['left', 'right'],
  preprocessing: { imageSize: 48, normalization: 'scale01' },
  architecture: 'test',
});

describe('classifyFaces', () => {
  // A frame whose left half is white and right half black: a face box across the edge.
  const image = tf.tidy(() => tf.concat([tf.fill([200, 100, 3], 255), tf.zeros([200, 100, 3])], 1) as tf.Tensor3D);
  const faces = [{ box: { x: 50, y: 50, width: 100, height: 100 }, score: 0.9 }];

  it('averages each face with its mirror by default, so a left-right judgement cancels out', () => {
    const [face] = classifyFaces(leftRightModel(), metadata, image, faces);
    expect(face!.scores.left).toBeCloseTo(0.5, 5);
    expect(face!.scores.right).toBeCloseTo(0.5, 5);
  });

  it('judges the crop alone without flip', () => {
    const [face] = classifyFaces(leftRightModel(), metadata, image, faces, { flip: false });
    expect(face!.label).toBe('left');
    expect(face!.scores.left).toBeGreaterThan(0.9);
  });
});
