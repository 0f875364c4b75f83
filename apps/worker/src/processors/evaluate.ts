import { UnrecoverableError, type Job } from 'bullmq';
import { SourcesChangedError } from '@moodlab/shared/node';
import { getModelVersion } from '@moodlab/db';
import { describeValidationError, evaluatePayloadSchema, type EvaluateResult } from '@moodlab/jobs';
import { runInChild } from '../sandbox/run-child';
import { handJobBack } from './hand-back';
import type { ProcessorContext } from './context';
import { loadDatasetPack, recordEvaluationReport } from '@moodlab/runs';

export function createEvaluateProcessor(ctx: ProcessorContext) {
  return async function processEvaluate(job: Job, token?: string): Promise<EvaluateResult> {
    const parsed = evaluatePayloadSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`Invalid evaluate job payload: ${describeValidationError(parsed.error)}`);
    const { modelVersionId, datasetId, split, flipTta } = parsed.data;
    const mv = await getModelVersion(ctx.db, modelVersionId);
    if (!mv) throw new UnrecoverableError(`Unknown model version id ${modelVersionId}`);
    const pack = await loadDatasetPack(ctx.db, datasetId).catch((err: Error) => {
      throw new UnrecoverableError(err.message);
    });
    const child = runInChild(
      {
        type: 'evaluate',
        model: { meta: mv.artifact.meta, data: new Uint8Array(mv.artifact.data) },
        dataset: { meta: pack.meta, data: pack.data },
        split,
        flipTta,
        backend: ctx.env.TF_BACKEND,
        threads: ctx.env.TF_THREADS,
      },
      async () => {},
    );
    const final = await child.done.catch(async (err: unknown) => {
      // Code changed under this worker: the job waits for the restarted one (see train.ts).
      if (err instanceof SourcesChangedError && token) return handJobBack(job, token, () => ctx.restart(err.message));
      throw err;
    });
    if (final.type !== 'evaluated') throw new Error(`unexpected result ${final.type}`);
    const ev = await recordEvaluationReport(ctx.db, parsed.data, final.report);
    return { evaluationId: ev.id, accuracy: ev.accuracy, macroF1: ev.macroF1 };
  };
}
