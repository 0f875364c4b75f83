import { errorMessage } from '@moodlab/shared';
import { UnrecoverableError, type Job } from 'bullmq';
import { describeValidationError, importPayloadSchema, type ImportResultSummary } from '@moodlab/jobs';
import { confineImportPath, importDataset } from '@moodlab/runs';
import type { ProcessorContext } from './context';

/** Dataset imports: decoding is sharp's (libvips threads), so it runs here rather than in a child. */
export function createImportProcessor(ctx: ProcessorContext) {
  return async function processImport(job: Job): Promise<ImportResultSummary> {
    const parsed = importPayloadSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`Invalid import job payload: ${describeValidationError(parsed.error)}`);
    let last = 0;
    try {
      // The dashboard checks this too; a job enqueued by other means meets the same rule here.
      const job0 = parsed.data;
      const payload =
        job0.source.kind === 'zip'
          ? job0
          : {
              ...job0,
              source: { ...job0.source, path: await confineImportPath(job0.source.path, ctx.env.MOODLAB_IMPORT_ROOTS) },
            };
      return await importDataset(ctx.db, payload, (done, total) => {
        const now = Date.now();
        if (now - last > 250 || done === total) {
          last = now;
          void job.updateProgress({ done, total });
        }
      });
    } catch (err) {
      // Bad input is the user's to fix; retrying would fail the same way.
      throw new UnrecoverableError(errorMessage(err));
    }
  };
}
