import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '@moodlab/cnn/inference';
import type { Box } from './crop';
import { facesToModelInput, type CropSampling } from './crop';
import type { FacePrediction } from './prediction';

export type { FacePrediction } from './prediction';

/** Classifies each detected face; probabilities in the model's own class order. */
export function classifyFaces(
  model: tf.LayersModel,
  metadata: ModelMetadata,
  image: tf.Tensor3D,
  faces: { box: Box; score: number }[],
  margin = 1.0,
  sampling: CropSampling = 'area',
): FacePrediction[] {
  if (!faces.length) return [];
  const probs = tf.tidy(
    () =>
      model.predict(
        facesToModelInput(
          image,
          faces.map((f) => f.box),
          metadata.preprocessing,
          margin,
          sampling,
        ),
      ) as tf.Tensor2D,
  );
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
