import type * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '@moodlab/shared';
import type { LabeledImages } from '../datasets/labeled-images';
import { classificationReport, type ClassificationReport } from './metrics';
import { argmaxRows, predictProbabilities } from './predict';

export function evaluateModel(
  model: tf.LayersModel,
  split: LabeledImages,
  classNames: readonly string[],
  p: Preprocessing,
  flipTta = false,
): ClassificationReport {
  const probs = predictProbabilities(model, split, p, 256, flipTta);
  return classificationReport(split.labels, argmaxRows(probs, classNames.length), classNames);
}
