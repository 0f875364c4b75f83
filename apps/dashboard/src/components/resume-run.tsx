'use client';
import { apiErrorMessage } from '@/api-error';
import { useState } from 'react';

/** Resume from the last checkpoint, optionally with a new length (more epochs, or fewer than planned). */
export function ResumeRun({ runId, epochs, done }: { runId: string; epochs: number; done: number }) {
  const [target, setTarget] = useState(epochs);
  const [error, setError] = useState<string | null>(null);
  const resume = async () => {
    const res = await fetch(`/api/runs/${runId}/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(target === epochs ? {} : { epochs: target }),
    });
    if (res.ok) window.location.reload();
    else setError(apiErrorMessage(await res.json(), res.status));
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
