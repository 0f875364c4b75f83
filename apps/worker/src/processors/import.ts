import { UnrecoverableError, type Job } from 'bullmq';
import { describeValidationError, importPayloadSchema, type ImportResultSummary } from '@moodlab/jobs';
import { importDataset } from '@moodlab/runs';
import type { ProcessorContext } from './context';

/** Dataset imports: decoding is sharp's (libvips threads), so it runs here rather than in a child. */
export function createImportProcessor(ctx: ProcessorContext) {
  return async function processImport(job: Job): Promise<ImportResultSummary> {
    const parsed = importPayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid import job payload: ${describeValidationError(parsed.error)}`);
    let last = 0;
    try {
      return await importDataset(ctx.db, parsed.data, (done, total) => {
        const now = Date.now();
        if (now - last > 250 || done === total) { last = now; void job.updateProgress({ done, total }); }
      });
    } catch (err) {
      // Bad input is the user's to fix; retrying would fail the same way.
      throw new UnrecoverableError((err as Error).message);
    }
  };
}
