'use client';
import { apiErrorMessage } from '@/api-error';
import { useState } from 'react';
import type { DatasetChoice } from './run-view';

/** Queues an evaluation of a model version on a chosen dataset split, with or without flip TTA. */
export function EvaluateForm({ modelVersionId, datasets }: { modelVersionId: string; datasets: DatasetChoice[] }) {
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
        setMessage(
          res.ok
            ? 'queued: a worker evaluates it; reload to see the result'
            : apiErrorMessage(await res.json(), res.status),
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
