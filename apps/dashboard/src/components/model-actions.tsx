'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { apiErrorMessage } from '@/api-error';

async function post(url: string, note: string): Promise<string | null> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ note }),
  });
  if (res.ok) return null;
  return apiErrorMessage(await res.json().catch(() => null), res.status);
}

/** Promote a version (with a note on why), or roll back to the one promoted before. */
export function PromoteButton({ id, version }: { id: string; version: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        data-testid={`promote-v${version}`}
        onClick={async () => {
          const note = window.prompt(`Why promote v${version}?`, '') ?? '';
          setError(await post(`/api/models/${id}/promote`, note));
          router.refresh();
        }}
      >
        Promote
      </button>
      {error && <span className="error">{error}</span>}
    </>
  );
}

export function RollbackButton() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        className="secondary"
        data-testid="rollback"
        onClick={async () => {
          setError(await post('/api/models/rollback', window.prompt('Why roll back?', '') ?? ''));
          router.refresh();
        }}
      >
        Roll back to the previous version
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
