import * as tf from '@tensorflow/tfjs';

/**
 * BatchNorm in training as one kernel and one gradient kernel. TF.js composes it from moments
 * (Mean, Sub, Square, Mean) and FusedBatchNorm, and the gradient then flows back through each of
 * those: about twenty full-size passes per layer and step, the largest item of a vgg-lite step
 * once convolutions are native (tools/bench/step-profile.ts). The pair here makes four: statistics
 * and normalisation forward, sums and the closed-form input gradient backward. Backends without
 * the kernels (see hasBatchNormTrainingKernel) keep TF.js's composite.
 */
export const BATCH_NORM_TRAINING = 'MoodlabBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'MoodlabBatchNormTrainingGrad';

export interface BatchNormTrainingAttrs {
  varianceEpsilon: number;
}

/** Whether the active backend has the kernel pair (the WASM backend with the native addon). */
export function hasBatchNormTrainingKernel(): boolean {
  return tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined;
}

/**
 * Normalises x over every axis but the last with its own batch statistics:
 * y = (x - mean) / sqrt(variance + epsilon) * scale + offset. Returns y, the batch mean and the
 * biased batch variance (what TF.js's moments give). Differentiable in x, scale and offset.
 */
export function batchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
  varianceEpsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf
    .engine()
    .runKernel(BATCH_NORM_TRAINING, { x, scale, offset }, { varianceEpsilon } satisfies BatchNormTrainingAttrs) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}

export function registerBatchNormTrainingGradient(): void {
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      // dx includes the path through the batch statistics, so mean and variance pass on nothing:
      // they feed only the moving averages, which are not differentiated.
      const [dy] = dys as tf.Tensor[];
      const [x, scale, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const [dx, dscale, doffset] = tf
        .engine()
        .runKernel(BATCH_NORM_TRAINING_GRAD, { dy: dy!, x, mean, variance, scale }, attrs) as [
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
      ];
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  });
}
