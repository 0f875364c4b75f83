import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '@moodlab/cnn/inference';
import type { Box } from './crop';
import { facesToModelInput, type CropSampling } from './crop';
import type { FacePrediction } from './prediction';

export type { FacePrediction } from './prediction';

export interface ClassifyOptions {
  /** Context around each box, as a multiple of its side (1: the box itself). */
  margin?: number;
  sampling?: CropSampling;
  /**
   * Average each face's probabilities with those of its mirror image (flip test-time
   * augmentation). On by default: it added 0.8 points on the exact validation crops (66.8 to
   * 67.6%, docs/default-model.md) and about as much through the live pipeline
   * (docs/benchmarks.md), for one more image per face in the same batch.
   */
  flip?: boolean;
}

/** Classifies each detected face; probabilities in the model's own class order. */
export function classifyFaces(
  model: tf.LayersModel,
  metadata: ModelMetadata,
  image: tf.Tensor3D,
  faces: { box: Box; score: number }[],
  { margin = 1.0, sampling = 'area', flip = true }: ClassifyOptions = {},
): FacePrediction[] {
  if (!faces.length) return [];
  const n = faces.length;
  const probs = tf.tidy(() => {
    const x = facesToModelInput(
      image,
      faces.map((f) => f.box),
      metadata.preprocessing,
      margin,
      sampling,
      flip,
    );
    const out = model.predict(x) as tf.Tensor2D;
    if (!flip) return out;
    // The faces, then their mirrors: the halves averaged.
    return tf.mul(tf.add(out.slice([0, 0], [n, -1]), out.slice([n, 0], [n, -1])), 0.5) as tf.Tensor2D;
  });
  const rows = probs.arraySync();
  probs.dispose();
  return faces.map((f, i) => {
    const row = rows[i]!;
    const best = row.indexOf(Math.max(...row));
    return {
      box: f.box,
      score: f.score,
      scores: Object.fromEntries(metadata.classNames.map((c, j) => [c, row[j]!])),
      label: metadata.classNames[best]!,
    };
  });
}
