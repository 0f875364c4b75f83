'use client';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { EpochMetricData } from '@moodlab/shared';

/** Loss and accuracy per epoch, training against validation. */
export function TrainingCurves({ epochs }: { epochs: EpochMetricData[] }) {
  const data = epochs.map((e) => ({
    epoch: e.epoch + 1,
    loss: e.loss,
    val_loss: e.valLoss,
    accuracy: e.accuracy,
    val_accuracy: e.valAccuracy,
  }));
  return (
    <div className="grid">
      {(
        [
          ['loss', 'val_loss'],
          ['accuracy', 'val_accuracy'],
        ] as const
      ).map(([a, b]) => (
        <div key={a} className={`chart chart-${a}`}>
          <LineChart width={520} height={240} data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epoch" />
            <YAxis domain={a === 'accuracy' ? [0, 1] : ['auto', 'auto']} />
            <Tooltip />
            <Legend />
            <Line dataKey={a} stroke="#3b5bdb" isAnimationActive={false} />
            <Line dataKey={b} stroke="#f08c00" isAnimationActive={false} />
          </LineChart>
        </div>
      ))}
    </div>
  );
}
