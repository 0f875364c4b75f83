'use client';
import { apiErrorMessage } from '@/api-error';
import { useState } from 'react';
import { useRouter } from 'next/navigation';

/** Cancel, retry or re-prioritise one job; the server says why when it cannot. */
export function QueueActions({
  queue,
  jobId,
  state,
  priority,
}: {
  queue: string;
  jobId: string;
  state: string;
  priority: number;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const act = async (action: string, body?: unknown) => {
    const res = await fetch(`/api/queue/${queue}/${jobId}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    setError(res.ok ? null : apiErrorMessage(await res.json(), res.status));
    router.refresh();
  };
  return (
    <span style={{ display: 'inline-flex', gap: 6 }}>
      {state !== 'failed' && (
        <button className="secondary" onClick={() => act('cancel')}>
          Cancel
        </button>
      )}
      {state === 'failed' && (
        <button className="secondary" onClick={() => act('retry')}>
          Retry
        </button>
      )}
      {(state === 'waiting' || state === 'prioritized') && (
        <button
          className="secondary"
          onClick={() => {
            const p = window.prompt('Priority (0 = none, 1 = highest)', String(priority));
            if (p !== null) void act('priority', { priority: Number(p) });
          }}
        >
          Priority…
        </button>
      )}
      {error && <span className="error">{error}</span>}
    </span>
  );
}
