import { formatPercent } from '@moodlab/shared';
import type { ClassificationReport } from '@moodlab/cnn/inference';

const pct = (v: number | null | undefined) => formatPercent(v, 1, '-');

export function printEpochs(
  epochs: {
    epoch: number;
    loss: number;
    accuracy: number;
    valLoss: number | null;
    valAccuracy: number | null;
    learningRate: number;
    durationMs: number;
  }[],
): void {
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

export function printReport(r: Pick<ClassificationReport, 'accuracy' | 'macroF1' | 'perClass' | 'confusion'>): void {
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
