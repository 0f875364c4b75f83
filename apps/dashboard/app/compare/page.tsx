import { z } from 'zod';
import { getRunsForComparison } from '@moodlab/db';
import { CompareView, type CompareRun } from '@/components/compare-view';
import { evaluationViewSchema } from '@/api-schemas';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const idsSchema = z
  .string()
  .transform((s) => s.split(',').filter(Boolean))
  .pipe(z.array(z.uuid()).min(2).max(10));

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ ids?: string }> }) {
  const ids = idsSchema.safeParse((await searchParams).ids ?? '');
  if (!ids.success)
    return (
      <>
        <h1>Compare runs</h1>
        <p className="error">Select 2 to 10 runs on the Runs page to compare them.</p>
      </>
    );
  const found = await getRunsForComparison(services().db, ids.data);
  const runs: CompareRun[] = ids.data
    .map((id) => found.find((r) => r.id === id))
    .filter((r) => r !== undefined)
    .map((r) => ({
      id: r.id,
      dataset: r.dataset.name,
      architecture: r.architecture,
      // An imported model was trained elsewhere: of our hyperparameters only its input contract applies.
      hyperparameters:
        r.kind === 'import'
          ? {
              architecture: r.architecture,
              preprocessing: r.hyperparameters.preprocessing,
              trained: 'elsewhere (Keras)',
            }
          : r.hyperparameters,
      epochs: r.epochs.map((e) => ({
        epoch: e.epoch,
        valAccuracy: e.valAccuracy,
        valLoss: e.valLoss,
        loss: e.loss,
        accuracy: e.accuracy,
      })),
      evaluation: evaluationViewSchema
        .nullable()
        .parse(JSON.parse(JSON.stringify(r.modelVersions.at(-1)?.evaluations[0] ?? null))),
      durationMs: r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
    }));
  return (
    <>
      <h1>Compare {runs.length} runs</h1>
      <CompareView runs={runs} />
    </>
  );
}
