import { formatPercent, type ClassificationReport, type EpochMetricData } from '@moodlab/shared';

const pct = (v: number | null | undefined) => formatPercent(v, 1, '-');

/** One row per epoch: losses, accuracies, learning rate and time. */
export function printEpochs(epochs: EpochMetricData[]): void {
  console.table(
    epochs.map((e) => ({
      epoch: e.epoch + 1,
      loss: e.loss.toFixed(4),
      acc: pct(e.accuracy),
      val_loss: e.valLoss?.toFixed(4) ?? '-',
      val_acc: pct(e.valAccuracy),
      lr: e.learningRate.toExponential(2),
      seconds: (e.durationMs / 1000).toFixed(1),
    })),
  );
}

/** A stored evaluation (its confusion matrix under the column's name) as printReport prints a report. */
export function printEvaluation(ev: Omit<ClassificationReport, 'confusion'> & { confusionMatrix: number[][] }): void {
  printReport({ ...ev, confusion: ev.confusionMatrix });
}

/** Accuracy, macro-F1, per-class figures and the confusion matrix. */
export function printReport(r: ClassificationReport): void {
  console.log(`accuracy ${pct(r.accuracy)}  macro-F1 ${r.macroF1.toFixed(4)}`);
  console.table(
    Object.fromEntries(
      r.perClass.map((c) => [
        c.label,
        { precision: c.precision.toFixed(3), recall: c.recall.toFixed(3), f1: c.f1.toFixed(3), support: c.support },
      ]),
    ),
  );
  const labels = r.perClass.map((c) => c.label);
  console.log('confusion matrix (rows: true, columns: predicted)');
  console.table(
    Object.fromEntries(
      r.confusion.map((row, i) => [labels[i]!, Object.fromEntries(row.map((v, j) => [labels[j]!, v]))]),
    ),
  );
}
