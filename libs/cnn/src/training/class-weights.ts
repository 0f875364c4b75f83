/** Inverse-frequency weights (N / (K * n_c)), as Keras' "balanced"; absent classes get 0. */
export function balancedClassWeights(labels: Uint8Array, numClasses: number): Float32Array {
  const counts = new Float64Array(numClasses);
  for (const l of labels) counts[l]! += 1;
  const w = new Float32Array(numClasses);
  for (let c = 0; c < numClasses; c++) w[c] = counts[c]! ? labels.length / (numClasses * counts[c]!) : 0;
  return w;
}
