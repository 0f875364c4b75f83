import type { ClassificationReport, ClassMetrics } from '@moodlab/shared';

/** Classification metrics from true and predicted class indices. */
export type { ClassificationReport, ClassMetrics };

/** The fraction of predictions that match (0 for no samples). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return yTrue.length ? correct / yTrue.length : 0;
}

export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classNames: readonly string[],
): ClassificationReport {
  if (yTrue.length !== yPred.length) throw new Error('yTrue and yPred differ in length');
  const k = classNames.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) confusion[yTrue[i]!]![yPred[i]!]! += 1;
  const perClass = classNames.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  return {
    accuracy: accuracy(yTrue, yPred),
    macroF1: perClass.reduce((a, m) => a + m.f1, 0) / k,
    perClass,
    confusion,
  };
}
