import * as tf from '@tensorflow/tfjs';

/**
 * Sets `into`'s weights to the uniform mean of its own and `others`' weights ("model soup",
 * Wortsman et al. 2022): models fine-tuned from one starting point lie in one basin, where their
 * mean usually validates better than each. BatchNorm moving statistics are averaged too; they are
 * only approximately right afterwards, so recalibrate them. Every model must have `into`'s
 * topology: the same number of weights, each of the same shape.
 */
export function averageWeightsInto(into: tf.LayersModel, others: readonly tf.LayersModel[]): void {
  const base = into.getWeights();
  const all = [base, ...others.map((m) => m.getWeights())];
  all.forEach((weights, k) => {
    if (weights.length !== base.length) {
      throw new Error(`model ${k} has ${weights.length} weight tensors, the first has ${base.length}`);
    }
    weights.forEach((w, i) => {
      if (!tf.util.arraysEqual(w.shape, base[i]!.shape)) {
        throw new Error(`model ${k}'s weight ${i} has shape [${w.shape}], the first's is [${base[i]!.shape}]`);
      }
    });
  });
  const means = base.map((_, i) => tf.tidy(() => tf.addN(all.map((weights) => weights[i]!)).div(all.length)));
  into.setWeights(means);
  tf.dispose(means);
}
