import * as tf from '@tensorflow/tfjs';

/**
 * TF.js's FusedBatchNorm gradient tiles the per-channel 1/sqrt(var) to the full activation
 * shape before multiplying; on the WASM backend that Tile was a third of a training step.
 * Broadcasting the per-channel vectors gives the same values without the full-size copy.
 * Per-channel factors are applied after the sums where the algebra allows, so each gradient
 * costs one full-size pass at most (x - mean and g * (x - mean) are shared). Mean and variance
 * are treated as inputs, as in the original (their own gradients flow through the moments op
 * that produced them).
 */
export function registerBroadcastingBatchNormGradient(): void {
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const g = dy as tf.Tensor;
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
      const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const reduce = (t: tf.Tensor, shape: number[]) => (axes.length ? t.sum(axes) : t).reshape(shape);
      const scaleValue = scale ?? tf.scalar(1);
      const invStd = tf.rsqrt(variance.add(eps));
      // sum(g * (x - mean)) per channel, shared by the variance and scale gradients. Made here,
      // beside invStd, because a tensor made inside one gradient closure is gone after it returns.
      const gCentered = reduce(g.mul(x.sub(mean)), mean.shape);
      return {
        x: () => g.mul(invStd.mul(scaleValue)),
        mean: () => reduce(g, mean.shape).mul(invStd.mul(scaleValue)).neg(),
        variance: () => gCentered.mul(invStd.pow(3).mul(scaleValue).mul(-0.5)),
        scale: () => gCentered.mul(invStd),
        offset: () => reduce(g, mean.shape),
      };
    },
  });
}

/**
 * The gradient of Mean, which batch norm's moments call in every training step: TF.js multiplies
 * the upstream gradient into a full-size tensor and then divides that tensor by the count; here
 * the small upstream gradient is divided first, saving a full-size pass per call.
 */
export function registerMeanGradient(): void {
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const count = tf.util.sizeFromShape(reduceShape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d)); // with or without keepDims
      return { x: () => (dy as tf.Tensor).reshape(expanded).div(count).mul(tf.ones(x.shape)) };
    },
  });
}
