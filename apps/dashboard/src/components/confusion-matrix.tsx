'use client';
import { useEffect, useState } from 'react';
import type { Evaluation } from './run-view';
import { apiErrorMessage } from '@/api-error';
import { cellSamplesSchema, type CellSamples } from '@/api-schemas';

interface Cell {
  t: number;
  p: number;
}

/** The faces behind one cell, fetched on click; the most confident predictions first. */
function CellFaces({ ev, cell }: { ev: Evaluation; cell: Cell }) {
  const [result, setResult] = useState<CellSamples | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setResult(null);
    fetch(`/api/evaluations/${ev.id}/cell?true=${cell.t}&pred=${cell.p}`).then(
      async (r) => {
        const body: unknown = await r.json();
        if (r.ok) setResult(cellSamplesSchema.parse(body));
        else setError(apiErrorMessage(body, r.status));
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
