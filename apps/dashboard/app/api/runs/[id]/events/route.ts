import { getRun } from '@moodlab/db';
import { TERMINAL_STATUSES } from '@moodlab/shared';
import { errorResponse, uuidParam } from '@/server/http';
import { NotFoundError, runLogs } from '@moodlab/runs';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const POLL_MS = 500;

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
      req.signal.addEventListener('abort', () => { open = false; });
      while (open) {
        const run = await getRun(services().db, id);
        if (!run) break;
        const logs = await runLogs(services(), id).catch(() => []);
        const payload = JSON.stringify({ ...run, logs });
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
  return new Response(stream, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive' } });
}
