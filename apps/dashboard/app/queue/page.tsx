import { listWorkers } from '@moodlab/db';
import { queueOverview } from '@moodlab/jobs';
import { QueueActions } from '@/components/queue-actions';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const HEARTBEAT_STALE_MS = 30_000;

export default async function QueuePage() {
  const { db, trainQueue, evaluateQueue, importQueue } = services();
  // Redis or Postgres may be away (a restart): the page says so instead of failing whole.
  const [queued, workers] = await Promise.all([
    Promise.all([queueOverview(trainQueue), queueOverview(evaluateQueue), queueOverview(importQueue)]).then(
      (q) => ({ queues: q, error: null }),
      (err: unknown) => ({ queues: [], error: err instanceof Error ? err.message : String(err) }),
    ),
    listWorkers(db).catch(() => []),
  ]);
  const queues = queued.queues;
  const now = Date.now();
  return (
    <>
      <h1>Queue</h1>
      {queued.error && (
        <p className="error" data-testid="queue-unreachable">
          The queue (Redis) cannot be reached right now: {queued.error}. Runs stay recorded in Postgres; once Redis is
          back, workers re-enqueue any run whose job it lost.
        </p>
      )}
      {queues.map((q) => (
        <div className="card" key={q.name} data-testid={`queue-${q.name}`}>
          <h2 style={{ marginTop: 0 }}>{q.name}</h2>
          <p className="muted">
            {Object.entries(q.counts)
              .map(([state, n]) => `${state} ${n}`)
              .join(' · ')}
          </p>
          <table>
            <thead>
              <tr>
                <th>Job</th>
                <th>State</th>
                <th>Priority</th>
                <th>Attempts</th>
                <th>Enqueued</th>
                <th>Note</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.jobs.map((j) => (
                <tr key={j.id}>
                  <td>{q.name === 'train' ? <a href={`/runs/${j.id}`}>{j.id.slice(0, 8)}</a> : j.id.slice(0, 8)}</td>
                  <td>
                    <span
                      className={`status status-${j.state === 'failed' ? 'failed' : j.state === 'active' ? 'running' : 'queued'}`}
                    >
                      {j.state}
                    </span>
                  </td>
                  <td>{j.priority || '–'}</td>
                  <td>{j.attemptsMade}</td>
                  <td className="muted">{new Date(j.timestamp).toISOString().replace('T', ' ').slice(0, 19)}</td>
                  <td className="error">{j.failedReason ?? ''}</td>
                  <td>
                    <QueueActions queue={q.name} jobId={j.id} state={j.state} priority={j.priority} />
                  </td>
                </tr>
              ))}
              {q.jobs.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    No waiting, active, delayed or failed jobs.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      ))}
      <h2>Workers</h2>
      <div className="card">
        <table data-testid="workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Backend</th>
              <th>Concurrency</th>
              <th>Current runs</th>
              <th>Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => {
              const age = now - w.lastSeenAt.getTime();
              return (
                <tr key={w.id}>
                  <td>{w.id}</td>
                  <td>
                    {w.backend}
                    {/gpu/.test(w.backend) ? ' (GPU)' : ' (CPU)'}
                  </td>
                  <td>{w.concurrency}</td>
                  <td>
                    {w.currentRunIds.map((id) => (
                      <a key={id} href={`/runs/${id}`}>
                        {id.slice(0, 8)}{' '}
                      </a>
                    ))}
                  </td>
                  <td className={age > HEARTBEAT_STALE_MS ? 'error' : 'muted'}>
                    {(age / 1000).toFixed(0)} s ago{age > HEARTBEAT_STALE_MS ? ' (lost?)' : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
