'use client';
import { useEffect, useState } from 'react';
import {
  formatPercent,
  describeFinishing,
  describeProgress,
  TERMINAL_STATUSES,
  type TrainProgress,
} from '@moodlab/shared';
import { ConfusionMatrix } from './confusion-matrix';
import { EvaluateForm } from './evaluate-form';
import { ResumeRun } from './resume-run';
import { TrainingCurves } from './training-curves';
import type { DatasetChoice, RunView } from './run-view';
import { runViewSchema } from '@/api-schemas';

/** Time left: at the average epoch duration so far, else at the pace of this first epoch. */
function eta(run: RunView, p: TrainProgress): string {
  // Outside the epochs (teachers labelling before them, BatchNorm recalibration after) epoch times say nothing about what is left.
  if (p.phase === 'calibrating' || p.phase === 'teaching') return '';
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
      const next = runViewSchema.parse(JSON.parse(String(e.data)));
      setRun(next);
      if (TERMINAL_STATUSES.includes(next.status)) source.close();
    };
    return () => source.close();
  }, [initial.id, initial.status]);
  return run;
}

export function RunLive({ initial, datasets }: { initial: RunView; datasets: DatasetChoice[] }) {
  const run = useLiveRun(initial);
  const [cancelling, setCancelling] = useState(false);
  const [shownEval, setShownEval] = useState(0);
  const p = run.progress;
  const running = run.status === 'running' || run.status === 'queued';
  const imported = run.kind === 'import' ? run.modelVersions[0]?.summary.imported : undefined;
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
        {imported ? (
          <>
            <span className="muted">Imported from</span>
            <span data-testid="imported-from">
              {imported.fileName} (Keras {imported.kerasVersion ?? 'version not recorded'}, {imported.layout}; sha256{' '}
              {imported.sha256.slice(0, 12)}); outputs [{imported.classOrder.join(', ')}] reordered to the
              dataset&apos;s order; input {run.hyperparameters.preprocessing.imageSize} px, {imported.normalization} (
              {imported.settingsFrom === 'file' ? 'recorded in the file' : 'as given at import'})
            </span>
            <span className="muted">Actions</span>
            <span>
              <a href={`/?clone=${run.id}`}>Fine-tune it</a>
            </span>
          </>
        ) : (
          <>
            <span className="muted">Hyperparameters</span>
            <code>{JSON.stringify(run.hyperparameters)}</code>
            <span className="muted">Actions</span>
            <span>
              <a href={`/?clone=${run.id}`}>Clone this run</a>
            </span>
          </>
        )}
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
          <ResumeRun runId={run.id} epochs={run.hyperparameters.epochs} done={run.epochs.length} />
        </div>
      )}
      {!imported && (
        <>
          <h2>Curves</h2>
          <div className="card">
            {run.epochs.length ? (
              <TrainingCurves epochs={run.epochs} />
            ) : (
              <p className="muted">No epoch finished yet.</p>
            )}
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
                    <td>{formatPercent(e.accuracy)}</td>
                    <td>{e.valLoss?.toFixed(4) ?? '–'}</td>
                    <td>{formatPercent(e.valAccuracy)}</td>
                    <td>{e.learningRate.toExponential(2)}</td>
                    <td>{(e.durationMs / 1000).toFixed(1)} s</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {run.modelVersions.map((mv) => (
        <div className="card model-version" key={mv.id}>
          <strong>Model version v{mv.version}</strong>{' '}
          <span className="muted">
            {mv.summary.imported
              ? 'imported from Keras'
              : `best val accuracy ${formatPercent(mv.summary.bestValAccuracy)} at epoch ${(mv.summary.bestEpoch ?? 0) + 1}`}
          </span>
          {' · '}
          <a href={`/api/models/${mv.id}/model.json`} download="model.json">
            model.json
          </a>
          {' · '}
          <a href={`/api/models/${mv.id}/weights.bin`} download="weights.bin">
            weights.bin
          </a>
          {' · '}
          <a href={`/api/models/${mv.id}/model.h5`}>Keras .h5</a>
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
            Evaluation ({evaluation.split}): accuracy {formatPercent(evaluation.accuracy)}, macro-F1{' '}
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
                  {ev.split}: {formatPercent(ev.accuracy)}
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
