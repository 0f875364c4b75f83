'use client';
import { useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { parameterImportance, type ParameterRange } from '@moodlab/shared';
import { apiErrorMessage } from '@/api-error';
import { sweepViewSchema, type SweepView } from '@/api-schemas';
import { brushedRows, ParallelCoordinates, type Axis, type Brushes } from './parallel-coordinates';

const METRIC = '__metric';

function axisFor(key: string, r: ParameterRange): Axis {
  if (r.kind === 'choice') return { key, label: key, scale: 'points', points: r.values };
  return { key, label: key, scale: r.kind === 'log-uniform' ? 'log' : 'linear' };
}

/** A sweep's page: trials, best so far, parallel coordinates with brushing, importance, scatter plots; live while it runs. */
export function SweepLive({ initial }: { initial: SweepView }) {
  const [view, setView] = useState(initial);
  const [brushes, setBrushes] = useState<Brushes>({});
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (view.status !== 'running') return;
    const poll = async () => {
      const res = await fetch(`/api/sweeps/${view.id}`).catch(() => null);
      if (res?.ok) setView(sweepViewSchema.parse(await res.json()));
    };
    // A failed poll (the server restarting) is retried on the next tick.
    const timer = setInterval(() => void poll().catch(() => undefined), 2000);
    return () => clearInterval(timer);
  }, [view.id, view.status]);

  const searched = Object.entries(view.spec.space).filter(([, r]) => r.kind !== 'fixed');
  const scored = view.trials.filter((t) => t.score !== null);
  const metricLabel = view.spec.metric === 'valAccuracy' ? 'val accuracy' : 'val loss';
  const toMetric = (s: number) => (view.spec.metric === 'valAccuracy' ? s : -s);
  const axes: Axis[] = [
    ...searched.map(([k, r]) => axisFor(k, r)),
    { key: METRIC, label: metricLabel, scale: 'linear' },
  ];
  const best = scored.reduce<(typeof scored)[number] | null>((b, t) => (!b || t.score! > b.score! ? t : b), null);
  const rows = scored.map((t) => ({
    id: t.runId,
    values: { ...t.params, [METRIC]: toMetric(t.score!) } as Record<string, string | number | boolean>,
    color: t.runId === best?.runId ? '#c92a2a' : '#3b5bdb',
  }));
  // The table lists what the brushes keep (every trial, also those without a metric yet, when none is set).
  const visible = Object.keys(brushes).length
    ? brushedRows(axes, rows, brushes)
    : new Set(view.trials.map((t) => t.runId));
  let running = -Infinity;
  const bestSoFar = view.trials
    .filter((t) => t.score !== null && ['completed', 'failed', 'cancelled'].includes(t.status))
    .map((t) => {
      running = Math.max(running, t.score!);
      return { trial: t.trialIndex, best: toMetric(running), value: toMetric(t.score!) };
    });
  const importance = parameterImportance(
    scored.map((t) => ({ params: t.params, score: t.score! })),
    searched.map(([k]) => k),
    Object.fromEntries(searched.flatMap(([k, r]) => (r.kind === 'choice' ? [[k, r.values]] : []))),
  );
  const top = [...scored].sort((a, b) => b.score! - a.score!).slice(0, 4);
  const post = async (url: string, body?: unknown) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    setMessage(res.ok ? 'done' : apiErrorMessage(await res.json().catch(() => null), res.status));
  };
  return (
    <>
      <h1>
        Sweep {view.name}{' '}
        <span className={`status status-${view.status}`} data-testid="sweep-status">
          {view.status}
        </span>
      </h1>
      <div className="card kv">
        <span className="muted">Dataset</span>
        <span>
          <a href={`/datasets/${view.dataset.id}`}>{view.dataset.name}</a>
        </span>
        <span className="muted">Search</span>
        <span>
          {view.spec.method}, {view.trials.length}/{view.planned} trials, {view.spec.budget.parallelism} at a time,{' '}
          {view.spec.budget.maxEpochs} epochs each
          {view.spec.earlyTermination
            ? `; ASHA from epoch ${view.spec.earlyTermination.minEpochs}, eta ${view.spec.earlyTermination.eta}`
            : ''}
          ; {view.epochsSpent} epochs spent
        </span>
        {view.note && (
          <>
            <span className="muted">Note</span>
            <span>{view.note}</span>
          </>
        )}
        <span className="muted">Actions</span>
        <span style={{ display: 'flex', gap: 8 }}>
          {view.status === 'running' && (
            <button className="secondary" onClick={() => void post(`/api/sweeps/${view.id}/stop`)}>
              Stop the sweep
            </button>
          )}
          {top.length >= 2 && (
            <a href={`/compare?ids=${top.map((t) => t.runId).join(',')}`}>Compare the top {top.length}</a>
          )}
          {best?.modelVersion && (
            <button
              onClick={() =>
                void post(`/api/models/${best.modelVersion!.id}/promote`, {
                  note: `best trial of sweep ${view.name} (${best.metric})`,
                })
              }
            >
              Promote the best trial (v{best.modelVersion.version})
            </button>
          )}
          {message && <span className={message === 'done' ? 'muted' : 'error'}>{message}</span>}
        </span>
      </div>
      <div className="grid card">
        <div>
          <h2>Best so far</h2>
          <LineChart width={440} height={240} data={bestSoFar}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="trial" />
            <YAxis domain={['auto', 'auto']} />
            <Tooltip />
            <Line dataKey="best" stroke="#c92a2a" isAnimationActive={false} />
            <Line dataKey="value" stroke="#adb5bd" strokeDasharray="4 4" isAnimationActive={false} />
          </LineChart>
        </div>
        <div>
          <h2>Parameter importance</h2>
          <table data-testid="importance">
            <thead>
              <tr>
                <th>Parameter</th>
                <th>Importance</th>
                <th>Correlation</th>
              </tr>
            </thead>
            <tbody>
              {importance.map((p) => (
                <tr key={p.parameter}>
                  <td>{p.parameter}</td>
                  <td>
                    <div className="importance-bar" style={{ width: `${(p.importance * 120).toFixed(0)}px` }} />{' '}
                    {p.importance.toFixed(2)}
                  </td>
                  <td style={{ color: p.correlation >= 0 ? '#2b8a3e' : '#c92a2a' }}>{p.correlation.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Importance: the share of the metric&apos;s variance the best single split on the parameter explains.
            Correlation: Spearman&apos;s, with the metric ({metricLabel}
            {view.spec.metric === 'valLoss' ? ', lower is better' : ''}).
          </p>
        </div>
      </div>
      <h2>
        Parallel coordinates <span className="muted">(drag along an axis to filter; the best trial in red)</span>
      </h2>
      <div className="card">
        <ParallelCoordinates axes={axes} rows={rows} brushes={brushes} onBrush={setBrushes} />
      </div>
      <h2>Metric against each parameter</h2>
      <div className="grid card">
        {searched.map(([k]) => (
          <div key={k}>
            <strong>{k}</strong>
            <ScatterChart width={280} height={200}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="x"
                type={typeof scored[0]?.params[k] === 'number' ? 'number' : 'category'}
                domain={['auto', 'auto']}
              />
              <YAxis dataKey="y" domain={['auto', 'auto']} />
              <Tooltip />
              <Scatter
                data={scored.map((t) => ({ x: t.params[k], y: toMetric(t.score!) }))}
                fill="#3b5bdb"
                isAnimationActive={false}
              />
            </ScatterChart>
          </div>
        ))}
      </div>
      <h2>Trials</h2>
      <div className="card table-scroll">
        <table data-testid="trials">
          <thead>
            <tr>
              <th>Trial</th>
              <th>Status</th>
              <th>Epochs</th>
              <th>Rung</th>
              <th>{metricLabel}</th>
              {searched.map(([k]) => (
                <th key={k}>{k}</th>
              ))}
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {view.trials
              .filter((t) => visible.has(t.runId))
              .map((t) => (
                <tr key={t.runId} data-testid={`trial-${t.trialIndex}`}>
                  <td>
                    <a href={`/runs/${t.runId}`}>{t.trialIndex}</a>
                    {t.runId === best?.runId && ' ★'}
                  </td>
                  <td>{t.status}</td>
                  <td>{t.epochs}</td>
                  <td>{t.rung}</td>
                  <td>{t.metric}</td>
                  {searched.map(([k]) => {
                    const v = t.params[k];
                    return <td key={k}>{typeof v === 'number' ? Number(v.toPrecision(3)) : String(v ?? '–')}</td>;
                  })}
                  <td className="muted" style={{ minWidth: 360 }}>
                    {t.note ?? ''}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
