'use client';
import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import {
  describeFinishing,
  describeProgress,
  TERMINAL_STATUSES,
  type EpochMetricData,
  type RunStatus,
  type TrainProgress,
} from '@moodlab/shared';

export interface Evaluation {
  id: string;
  datasetId: string;
  split: string;
  accuracy: number;
  macroF1: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  confusionMatrix: number[][];
}
export interface RunView {
  id: string;
  status: RunStatus;
  architecture: string;
  backend: string | null;
  error: string | null;
  workerId: string | null;
  hyperparameters: Record<string, unknown>;
  progress: TrainProgress | null;
  dataset: { id: string; name: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  epochs: (EpochMetricData & { id: string })[];
  modelVersions: { id: string; version: number; summary: Record<string, unknown>; evaluations: Evaluation[] }[];
  logs: string[];
  /** Set while the run's worker has missed its heartbeats (it died): how long it has been silent. */
  workerSilentSeconds?: number | null;
}

export interface DatasetChoice {
  id: string;
  name: string;
  splits: string[];
}

const pct = (v: number | null | undefined) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);

/** Time left: at the average epoch duration so far, else at the pace of this first epoch. */
function eta(run: RunView, p: TrainProgress): string {
  // Past the last epoch (BatchNorm recalibration) the epoch times say nothing about what is left.
  if (p.phase === 'calibrating') return '';
  const remaining = p.epochs - p.epoch - (p.batches ? p.batch / p.batches : 0);
  let leftMs: number;
  if (run.epochs.length) leftMs = (run.epochs.reduce((s, e) => s + e.durationMs, 0) / run.epochs.length) * remaining;
  else if (run.startedAt && p.fraction > 0.005)
    leftMs = ((Date.now() - new Date(run.startedAt).getTime()) / p.fraction) * (1 - p.fraction);
  else return '';
  const s = leftMs / 1000;
  return ` · ETA ${s < 90 ? `${s.toFixed(0)} s` : s < 5400 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`}`;
}

/** Follows the run over server-sent events until it ends. */
function useLiveRun(initial: RunView): RunView {
  const [run, setRun] = useState(initial);
  useEffect(() => {
    if (TERMINAL_STATUSES.includes(initial.status)) return;
    const source = new EventSource(`/api/runs/${initial.id}/events`);
    source.onmessage = (e) => {
      const next = JSON.parse(e.data as string) as RunView;
      setRun(next);
      if (TERMINAL_STATUSES.includes(next.status)) source.close();
    };
    return () => source.close();
  }, [initial.id, initial.status]);
  return run;
}

function Curves({ epochs }: { epochs: EpochMetricData[] }) {
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

interface Cell {
  t: number;
  p: number;
}
interface CellResult {
  split: string;
  datasetId: string;
  total: number;
  samples: { index: number; confidence: number; trueScore: number }[];
}

/** The faces behind one cell, fetched on click; the most confident predictions first. */
function CellFaces({ ev, cell }: { ev: Evaluation; cell: Cell }) {
  const [result, setResult] = useState<CellResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setResult(null);
    fetch(`/api/evaluations/${ev.id}/cell?true=${cell.t}&pred=${cell.p}`).then(
      async (r) => {
        const body = (await r.json()) as CellResult & { error?: string };
        if (r.ok) setResult(body);
        else setError(body.error ?? 'failed');
      },
      (e: Error) => setError(e.message),
    );
  }, [ev.id, cell.t, cell.p]);
  const labels = ev.perClass.map((c) => c.label);
  return (
    <div className="card cell-faces" data-testid="cell-faces">
      <strong>
        {labels[cell.t]} predicted as {labels[cell.p]}
      </strong>
      {result && (
        <span className="muted">
          {' '}
          — {result.total} images
          {result.total > result.samples.length ? `, the ${result.samples.length} most confident` : ''}
        </span>
      )}
      {error && <p className="error">{error}</p>}
      {!result && !error && <p className="muted">computing predictions…</p>}
      <div className="sample-row" style={{ flexWrap: 'wrap' }}>
        {result?.samples.map((s) => (
          <figure key={s.index} style={{ margin: 0, textAlign: 'center' }}>
            <img
              src={`/api/datasets/${result.datasetId}/images/${result.split}/${s.index}`}
              alt={`#${s.index}`}
              width={72}
              height={72}
            />
            <figcaption style={{ fontSize: 11 }}>
              {(s.confidence * 100).toFixed(0)}%{cell.t !== cell.p ? ` (true ${(s.trueScore * 100).toFixed(0)}%)` : ''}
            </figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

export function ConfusionMatrix({ ev }: { ev: Evaluation }) {
  const labels = ev.perClass.map((c) => c.label);
  const [cell, setCell] = useState<Cell | null>(null);
  const [normalised, setNormalised] = useState(false);
  return (
    <>
      <label style={{ flexDirection: 'row', gap: 6, marginBottom: 6 }}>
        <input type="checkbox" checked={normalised} onChange={(e) => setNormalised(e.target.checked)} /> row-normalised
      </label>
      <table className="confusion">
        <thead>
          <tr>
            <th>true \ pred</th>
            {labels.map((l) => (
              <th key={l}>{l}</th>
            ))}
            <th>precision</th>
            <th>recall</th>
            <th>F1</th>
          </tr>
        </thead>
        <tbody>
          {ev.confusionMatrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <tr key={labels[i]}>
                <th>{labels[i]}</th>
                {row.map((v, j) => (
                  <td
                    key={j}
                    className="cm"
                    data-testid={`cell-${i}-${j}`}
                    title="show these faces"
                    onClick={() => setCell({ t: i, p: j })}
                    style={{
                      cursor: 'pointer',
                      background: `rgba(59,91,219,${(v / total).toFixed(2)})`,
                      color: v / total > 0.5 ? '#fff' : undefined,
                      outline: cell?.t === i && cell.p === j ? '2px solid #f08c00' : undefined,
                    }}
                  >
                    {normalised ? `${((v / total) * 100).toFixed(0)}%` : v}
                  </td>
                ))}
                <td>{ev.perClass[i]!.precision.toFixed(2)}</td>
                <td>{ev.perClass[i]!.recall.toFixed(2)}</td>
                <td>{ev.perClass[i]!.f1.toFixed(2)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {cell && <CellFaces ev={ev} cell={cell} />}
    </>
  );
}

function EvaluateForm({ modelVersionId, datasets }: { modelVersionId: string; datasets: DatasetChoice[] }) {
  const [message, setMessage] = useState<string | null>(null);
  return (
    <form
      className="new-run"
      action={async (form) => {
        const [datasetId, split] = String(form.get('target')).split('|');
        const res = await fetch(`/api/models/${modelVersionId}/evaluate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ datasetId, split, flipTta: form.get('tta') === 'on' }),
        });
        const body = (await res.json()) as { error?: string; details?: string };
        setMessage(
          res.ok
            ? 'queued: a worker evaluates it; reload to see the result'
            : `${body.error ?? 'failed'}${body.details ? `: ${body.details}` : ''}`,
        );
      }}
    >
      <label>
        Evaluate on
        <select name="target">
          {datasets.flatMap((d) =>
            d.splits.map((s) => (
              <option key={`${d.id}|${s}`} value={`${d.id}|${s}`}>
                {d.name} / {s}
              </option>
            )),
          )}
        </select>
      </label>
      <label>
        Flip TTA
        <input type="checkbox" name="tta" />
      </label>
      <button type="submit" className="secondary">
        Queue evaluation
      </button>
      {message && <span className="muted">{message}</span>}
    </form>
  );
}

export function RunLive({ initial, datasets }: { initial: RunView; datasets: DatasetChoice[] }) {
  const run = useLiveRun(initial);
  const [cancelling, setCancelling] = useState(false);
  const [shownEval, setShownEval] = useState(0);
  const p = run.progress;
  const running = run.status === 'running' || run.status === 'queued';
  const evaluations = run.modelVersions.flatMap((mv) => mv.evaluations);
  const evaluation = evaluations[shownEval] ?? evaluations[0];
  return (
    <>
      <h1>
        Run {run.id.slice(0, 8)}{' '}
        <span className={`status status-${run.status}`} data-testid="run-status">
          {run.status}
        </span>
        {run.workerSilentSeconds != null && (
          <span
            className="status status-queued"
            data-testid="run-stalled"
            title="another worker resumes it from its last checkpoint"
          >
            stalled: worker silent for {run.workerSilentSeconds} s
          </span>
        )}
      </h1>
      <div className="card kv">
        <span className="muted">Dataset</span>
        <span>
          <a href={`/datasets/${run.dataset.id}`}>{run.dataset.name}</a>
        </span>
        <span className="muted">Architecture</span>
        <span>{run.architecture}</span>
        <span className="muted">Backend</span>
        <span>{run.backend ?? '–'}</span>
        <span className="muted">Worker</span>
        <span>{run.workerId ?? '–'}</span>
        <span className="muted">Hyperparameters</span>
        <code>{JSON.stringify(run.hyperparameters)}</code>
        <span className="muted">Actions</span>
        <span>
          <a href={`/?clone=${run.id}`}>Clone this run</a>
        </span>
        {run.error && (
          <>
            <span className="muted">Note</span>
            <span className={run.status === 'failed' ? 'error' : ''}>{run.error}</span>
          </>
        )}
      </div>
      {running && (
        <div className="card" data-testid="live-progress">
          <div className="progress">
            <div style={{ width: `${((p?.fraction ?? 0) * 100).toFixed(1)}%` }} />
          </div>
          <p className="muted">
            {p ? `${describeProgress(p)} (${(p.fraction * 100).toFixed(0)}%)${eta(run, p)}` : 'waiting for a worker…'}
          </p>
          <button
            className="secondary"
            disabled={cancelling}
            onClick={async () => {
              setCancelling(true);
              await fetch(`/api/runs/${run.id}/cancel`, { method: 'POST' });
            }}
          >
            Cancel run
          </button>
        </div>
      )}
      {(run.status === 'failed' || run.status === 'cancelled') && (
        <div className="card">
          <ResumeRun
            runId={run.id}
            epochs={(run.hyperparameters as { epochs: number }).epochs}
            done={run.epochs.length}
          />
        </div>
      )}
      <h2>Curves</h2>
      <div className="card">
        {run.epochs.length ? <Curves epochs={run.epochs} /> : <p className="muted">No epoch finished yet.</p>}
      </div>
      <h2>Epochs</h2>
      <div className="card">
        <table className="epochs">
          <thead>
            <tr>
              <th>Epoch</th>
              <th>Loss</th>
              <th>Accuracy</th>
              <th>Val loss</th>
              <th>Val accuracy</th>
              <th>LR</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {run.epochs.map((e) => (
              <tr key={e.epoch}>
                <td>{e.epoch + 1}</td>
                <td>{e.loss.toFixed(4)}</td>
                <td>{pct(e.accuracy)}</td>
                <td>{e.valLoss?.toFixed(4) ?? '–'}</td>
                <td>{pct(e.valAccuracy)}</td>
                <td>{e.learningRate.toExponential(2)}</td>
                <td>{(e.durationMs / 1000).toFixed(1)} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {run.modelVersions.map((mv) => (
        <div className="card model-version" key={mv.id}>
          <strong>Model version v{mv.version}</strong>{' '}
          <span className="muted">
            best val accuracy {pct(mv.summary.bestValAccuracy as number | null)} at epoch{' '}
            {Number(mv.summary.bestEpoch ?? 0) + 1}
          </span>
          {' · '}
          <a href={`/api/models/${mv.id}/model.json`} download="model.json">
            model.json
          </a>
          {' · '}
          <a href={`/api/models/${mv.id}/weights.bin`} download="weights.bin">
            weights.bin
          </a>
          {describeFinishing(mv.summary).map((line) => (
            <div key={line} className="muted">
              {line}
            </div>
          ))}
          <EvaluateForm modelVersionId={mv.id} datasets={datasets} />
        </div>
      ))}
      {evaluation && (
        <>
          <h2>
            Evaluation ({evaluation.split}): accuracy {pct(evaluation.accuracy)}, macro-F1{' '}
            {evaluation.macroF1.toFixed(3)}
          </h2>
          {evaluations.length > 1 && (
            <div className="card">
              {evaluations.map((ev, i) => (
                <button
                  key={ev.id}
                  className={i === shownEval ? '' : 'secondary'}
                  style={{ marginRight: 6 }}
                  onClick={() => setShownEval(i)}
                >
                  {ev.split}: {pct(ev.accuracy)}
                </button>
              ))}
            </div>
          )}
          <div className="card">
            <ConfusionMatrix ev={evaluation} />
          </div>
        </>
      )}
      <h2>Worker log</h2>
      <pre className="card log" data-testid="run-log">
        {run.logs.length ? run.logs.join('\n') : 'no log lines yet'}
      </pre>
    </>
  );
}

/** Resume from the last checkpoint, optionally with a new length (more epochs, or fewer than planned). */
function ResumeRun({ runId, epochs, done }: { runId: string; epochs: number; done: number }) {
  const [target, setTarget] = useState(epochs);
  const [error, setError] = useState<string | null>(null);
  const resume = async () => {
    const res = await fetch(`/api/runs/${runId}/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(target === epochs ? {} : { epochs: target }),
    });
    if (res.ok) window.location.reload();
    else setError(((await res.json()) as { error?: string }).error ?? `HTTP ${res.status}`);
  };
  return (
    <>
      <label>
        Epochs{' '}
        <input
          type="number"
          min={done + 1}
          value={target}
          onChange={(e) => setTarget(Number(e.target.value))}
          data-testid="resume-epochs"
        />
      </label>{' '}
      <button className="secondary" onClick={() => void resume()}>
        Resume from last checkpoint
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
