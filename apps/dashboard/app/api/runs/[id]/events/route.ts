import { getRun, workerLastSeen } from '@moodlab/db';
import { TERMINAL_STATUSES } from '@moodlab/shared';
import { errorResponse, uuidParam } from '@/server/http';
import { NotFoundError, runLogs } from '@moodlab/runs';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const POLL_MS = 500;
/** A running run's worker silent this long (three missed heartbeats) is shown as lost. */
const SILENT_AFTER_MS = 15_000;

/**
 * Server-sent events with the run as stored in Postgres (status, progress, epochs), sent
 * whenever it changes; Postgres is the source of truth the worker writes to, so the page
 * never shows a state the database does not hold. The stream ends when the run does.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  let id: string;
  try {
    id = uuidParam.parse((await params).id);
    if (!(await getRun(services().db, id))) throw new NotFoundError(`Unknown run id ${id}`);
  } catch (err) {
    return errorResponse(err);
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream({
    async start(controller) {
      let last = '';
      let open = true;
      req.signal.addEventListener('abort', () => {
        open = false;
      });
      while (open) {
        // The database may be away for a while (a restart): the stream waits for it.
        const run = await getRun(services().db, id).catch(() => undefined);
        if (run === undefined) {
          await new Promise((r) => setTimeout(r, POLL_MS * 4));
          continue;
        }
        if (!run) break;
        const logs = await runLogs(services(), id).catch(() => []);
        const seen =
          run.status === 'running' && run.workerId
            ? await workerLastSeen(services().db, run.workerId).catch(() => null)
            : null;
        const workerSilentMs =
          seen && Date.now() - seen.getTime() > SILENT_AFTER_MS ? Date.now() - seen.getTime() : null;
        // Rounded to seconds, so that the payload changes (and is sent) once a second, not every poll.
        const payload = JSON.stringify({
          ...run,
          logs,
          workerSilentSeconds: workerSilentMs === null ? null : Math.floor(workerSilentMs / 1000),
        });
        if (payload !== last) {
          last = payload;
          controller.enqueue(encoder.encode(`data: ${payload}\n\n`));
        }
        if (TERMINAL_STATUSES.includes(run.status)) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      controller.close();
    },
  });
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
    },
  });
}
