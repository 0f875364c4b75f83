'use client';
import { formatPercent } from '@moodlab/shared';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ConfusionMatrix } from './confusion-matrix';
import type { Evaluation } from './run-view';

export interface CompareRun {
  id: string;
  dataset: string;
  architecture: string;
  hyperparameters: Record<string, unknown>;
  epochs: { epoch: number; valAccuracy: number | null; valLoss: number | null; loss: number; accuracy: number }[];
  evaluation: Evaluation | null;
  durationMs: number | null;
}

const COLORS = [
  '#3b5bdb',
  '#f08c00',
  '#2b8a3e',
  '#c92a2a',
  '#ae3ec9',
  '#1098ad',
  '#5c940d',
  '#e8590c',
  '#495057',
  '#d6336c',
];
const short = (id: string) => id.slice(0, 8);

/** Dotted paths of every leaf value, so nested hyperparameters line up in one table. */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, string> {
  return Object.entries(obj).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(acc, flatten(v as Record<string, unknown>, key));
    else acc[key] = JSON.stringify(v);
    return acc;
  }, {});
}

function Overlay({ runs, metric }: { runs: CompareRun[]; metric: 'valAccuracy' | 'valLoss' }) {
  const maxEpochs = Math.max(...runs.map((r) => r.epochs.length));
  const data = Array.from({ length: maxEpochs }, (_, e) => ({
    epoch: e + 1,
    ...Object.fromEntries(runs.map((r) => [short(r.id), r.epochs[e]?.[metric] ?? null])),
  }));
  return (
    <div className={`chart chart-${metric}`}>
      <h2>{metric === 'valAccuracy' ? 'Validation accuracy' : 'Validation loss'}</h2>
      <LineChart width={540} height={260} data={data}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="epoch" />
        <YAxis domain={['auto', 'auto']} />
        <Tooltip />
        <Legend />
        {runs.map((r, i) => (
          <Line
            key={r.id}
            dataKey={short(r.id)}
            stroke={COLORS[i % COLORS.length]}
            isAnimationActive={false}
            connectNulls
          />
        ))}
      </LineChart>
    </div>
  );
}

export function CompareView({ runs }: { runs: CompareRun[] }) {
  const params = runs.map((r) => flatten({ dataset: r.dataset, ...r.hyperparameters }));
  const keys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
  const [a, b] = runs;
  // Per-class recall beside accuracy: a model can gain accuracy by giving up a rare class.
  const classLabels = [...new Set(runs.flatMap((r) => r.evaluation?.perClass.map((c) => c.label) ?? []))];
  return (
    <>
      <div className="grid card">
        <Overlay runs={runs} metric="valAccuracy" />
        <Overlay runs={runs} metric="valLoss" />
      </div>
      <h2>Metrics</h2>
      <div className="card">
        <table className="compare-metrics">
          <thead>
            <tr>
              <th>Run</th>
              {runs.map((r) => (
                <th key={r.id}>
                  <a href={`/runs/${r.id}`}>{short(r.id)}</a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>Best val accuracy</td>
              {runs.map((r) => (
                <td key={r.id}>{formatPercent(Math.max(...r.epochs.map((e) => e.valAccuracy ?? 0)))}</td>
              ))}
            </tr>
            <tr>
              <td>Val accuracy (latest evaluation)</td>
              {runs.map((r) => (
                <td key={r.id}>{formatPercent(r.evaluation?.accuracy)}</td>
              ))}
            </tr>
            <tr>
              <td>Final val accuracy</td>
              {runs.map((r) => (
                <td key={r.id}>{formatPercent(r.epochs.at(-1)?.valAccuracy)}</td>
              ))}
            </tr>
            <tr>
              <td>Macro-F1</td>
              {runs.map((r) => (
                <td key={r.id}>{r.evaluation ? r.evaluation.macroF1.toFixed(3) : '–'}</td>
              ))}
            </tr>
            {classLabels.map((label) => (
              <tr key={label}>
                <td>Recall: {label}</td>
                {runs.map((r) => (
                  <td key={r.id}>{formatPercent(r.evaluation?.perClass.find((c) => c.label === label)?.recall)}</td>
                ))}
              </tr>
            ))}
            <tr>
              <td>Epochs</td>
              {runs.map((r) => (
                <td key={r.id}>{r.epochs.length}</td>
              ))}
            </tr>
            <tr>
              <td>Duration</td>
              {runs.map((r) => (
                <td key={r.id}>{r.durationMs == null ? '–' : `${(r.durationMs / 1000).toFixed(0)} s`}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <h2>
        Parameters <span className="muted">(differences highlighted)</span>
      </h2>
      <div className="card">
        <table className="compare-params">
          <thead>
            <tr>
              <th>Parameter</th>
              {runs.map((r) => (
                <th key={r.id}>{short(r.id)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const values = params.map((p) => p[k] ?? '–');
              const differs = new Set(values).size > 1;
              return (
                <tr key={k} className={differs ? 'differs' : ''}>
                  <td>{k}</td>
                  {values.map((v, i) => (
                    <td key={i} className={differs ? 'diff' : ''}>
                      {v}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>Confusion matrices (validation)</h2>
      <div className="grid">
        {runs.map((r) => (
          <div className="card" key={r.id}>
            <strong>{short(r.id)}</strong>
            {r.evaluation ? <ConfusionMatrix ev={r.evaluation} /> : <p className="muted">no evaluation</p>}
          </div>
        ))}
        {a?.evaluation && b?.evaluation && runs.length === 2 && (
          <div className="card">
            <strong>
              Difference {short(b.id)} − {short(a.id)} (row-normalised, percentage points)
            </strong>
            <table className="confusion-diff">
              <tbody>
                {a.evaluation.confusionMatrix.map((row, i) => {
                  const ra = row.reduce((s, v) => s + v, 0) || 1,
                    rb = b.evaluation!.confusionMatrix[i]!.reduce((s, v) => s + v, 0) || 1;
                  return (
                    <tr key={i}>
                      <th>{a.evaluation!.perClass[i]!.label}</th>
                      {row.map((v, j) => {
                        const d = (b.evaluation!.confusionMatrix[i]![j]! / rb - v / ra) * 100;
                        const good = i === j ? d > 0 : d < 0;
                        return (
                          <td
                            key={j}
                            className="cm"
                            style={{
                              background:
                                Math.abs(d) < 0.05
                                  ? undefined
                                  : good
                                    ? `rgba(43,138,62,${Math.min(0.8, Math.abs(d) / 20)})`
                                    : `rgba(201,42,42,${Math.min(0.8, Math.abs(d) / 20)})`,
                            }}
                          >
                            {d.toFixed(1)}
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}
