import type * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing } from '@moodlab/shared';
import type { LabeledImages } from '../datasets/labeled-images';
import { predictProbabilities } from '../inference/predict';

export interface Teacher {
  model: tf.LayersModel;
  preprocessing: ModelPreprocessing;
  /** Its architecture's name, for replicas that build it (a `keras:` model has none to build). */
  architecture: string;
}

/**
 * Soft labels for knowledge distillation: each teacher's probabilities for every image, averaged
 * over the image and its mirror (flip TTA, which is worth most of a point on FER2013) and over the
 * teachers, then softened to p^(1/T), renormalised (the same as softmax(logits / T) of a model
 * that ends in a softmax). Computed once on the unaugmented images: a teacher's pass per
 * augmented batch would double a vgg-wide epoch, and the augmentations keep the face's class.
 */
export async function teacherTargets(
  teachers: Teacher[],
  split: LabeledImages,
  temperature: number,
  onTeacher?: (done: number, total: number) => void,
  /** A teacher's flip-averaged probabilities for the split; in this thread unless given (replicas). */
  predict: (teacher: Teacher, split: LabeledImages) => Promise<Float32Array> = (t, s) =>
    Promise.resolve(predictProbabilities(t.model, s, t.preprocessing, 256, true)),
): Promise<Float32Array> {
  if (!teachers.length) throw new Error('distillation needs at least one teacher');
  const n = split.labels.length;
  let out: Float32Array = new Float32Array(0);
  for (const [t, teacher] of teachers.entries()) {
    const probs = await predict(teacher, split);
    if (t === 0) out = probs;
    else for (let i = 0; i < out.length; i++) out[i]! += probs[i]!;
    onTeacher?.(t + 1, teachers.length);
  }
  const k = out.length / n;
  for (let row = 0; row < out.length; row += k) {
    let total = 0;
    for (let c = 0; c < k; c++) total += out[row + c] = Math.pow(Math.max(out[row + c]!, 1e-12), 1 / temperature);
    for (let c = 0; c < k; c++) out[row + c]! /= total;
  }
  return out;
}

/** The targets of a batch's images (by index into the split), as one batch x K array. */
export function gatherTargets(targets: Float32Array, k: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * k);
  for (let j = 0; j < idx.length; j++) out.set(targets.subarray(idx[j]! * k, (idx[j]! + 1) * k), j * k);
  return out;
}
