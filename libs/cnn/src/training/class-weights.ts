/**
 * Inverse-frequency weights (N / (K * n_c)), as Keras' "balanced", raised to `power` (1: fully
 * balanced; 0.5: the square root, which lifts rare classes with less cost to the common ones);
 * absent classes get 0.
 */
export function balancedClassWeights(labels: Uint8Array, numClasses: number, power = 1): Float32Array {
  const counts = new Float64Array(numClasses);
  for (const l of labels) counts[l]! += 1;
  const w = new Float32Array(numClasses);
  for (let c = 0; c < numClasses; c++) w[c] = counts[c]! ? (labels.length / (numClasses * counts[c]!)) ** power : 0;
  return w;
}
