'use client';
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';

const RETRY_SECONDS = 5;

/**
 * Any page whose server render failed: most often Postgres or Redis restarting. The page says so
 * and tries again on its own every few seconds, so a dashboard left open recovers by itself.
 */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [left, setLeft] = useState(RETRY_SECONDS);
  useEffect(() => {
    const timer = setInterval(() => {
      setLeft((s) => {
        if (s > 1) return s - 1;
        router.refresh();
        reset();
        return RETRY_SECONDS;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [router, reset]);
  return (
    <div className="card" data-testid="page-error">
      <h1>This page could not load</h1>
      <p>
        The server could not answer, most often because its database or queue is restarting. Nothing is lost: runs keep
        their state in Postgres and workers resume them.
      </p>
      <p className="muted">
        Trying again in {left} s{error.digest ? ` (server log reference ${error.digest})` : ''}.{' '}
        <button onClick={() => reset()}>Try now</button>
      </p>
    </div>
  );
}
