import { ARCHITECTURE_NAMES, DEFAULT_ARCHITECTURE, isImportedArchitecture } from '@moodlab/shared';
import { getRun, listDatasets, listRunSummaries } from '@moodlab/db';
import { uuidParam } from '@/server/http';
import { z } from 'zod';
import { hyperparametersSchema } from '@moodlab/shared';
import { ClassDistribution } from '@/components/class-distribution';
import { NewRunForm } from '@/components/new-run-form';
import { RunsTable } from '@/components/runs-table';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const HYPERPARAMETERS_JSON_SCHEMA = z.toJSONSchema(hyperparametersSchema, { io: 'input' }) as Parameters<
  typeof NewRunForm
>[0]['schema'];

export default async function Home({ searchParams }: { searchParams: Promise<{ clone?: string }> }) {
  const { db } = services();
  const [datasets, runs] = await Promise.all([listDatasets(db), listRunSummaries(db)]);
  const cloneId = uuidParam.safeParse((await searchParams).clone);
  const cloned = cloneId.success ? await getRun(db, cloneId.data) : null;
  // A cloned import is a fine-tuning of the imported version: its own topology, at a gentle rate.
  const importedVersion = cloned?.kind === 'import' ? (cloned.modelVersions[0]?.version ?? null) : null;
  // A cloned run's hyperparameters go through the schema again, so old runs fill in new defaults.
  const defaults = hyperparametersSchema.parse(
    cloned
      ? {
          ...cloned.hyperparameters,
          ...(importedVersion !== null && { initFrom: importedVersion, learningRate: 0.0005, epochs: 4 }),
        }
      : { architecture: DEFAULT_ARCHITECTURE },
  );
  const architectures: string[] = [...ARCHITECTURE_NAMES];
  if (cloned && isImportedArchitecture(cloned.architecture)) architectures.push(cloned.architecture);
  return (
    <>
      <h1>Runs</h1>
      <div className="card">
        <h2 style={{ marginTop: 0 }}>
          {importedVersion !== null
            ? `Fine-tune imported model v${importedVersion}`
            : cloned
              ? `New run cloned from ${cloned.id.slice(0, 8)}`
              : 'New training run'}
        </h2>
        <NewRunForm
          key={cloned?.id ?? 'new'}
          datasets={datasets.filter((d) => d.packId).map((d) => ({ id: d.id, name: d.name }))}
          architectures={architectures}
          schema={HYPERPARAMETERS_JSON_SCHEMA}
          defaults={defaults}
          datasetId={cloned?.datasetId}
        />
      </div>
      <div className="card">
        <RunsTable
          runs={runs.map((r) => ({
            id: r.id,
            status: r.status,
            architecture: r.architecture,
            backend: r.backend,
            tags: r.tags,
            createdAt: r.createdAt.toISOString(),
            dataset: r.dataset.name,
            epochs: r._count.epochs,
            bestValAccuracy: r.bestValAccuracy,
            macroF1: r.macroF1,
            durationMs: r.durationMs,
          }))}
        />
      </div>
      <h1>
        Datasets{' '}
        <a href="/datasets/new" style={{ fontSize: 14, fontWeight: 400 }}>
          import…
        </a>
      </h1>
      <div className="grid">
        {datasets.map((d) => (
          <div className="card dataset" key={d.id}>
            <a href={`/datasets/${d.id}`}>
              <strong>{d.name}</strong>
            </a>{' '}
            <span className="muted">
              ({d.source}, {d.imageSize}px, digest {d.digest.slice(0, 10)})
            </span>
            <ClassDistribution classNames={d.classNames} counts={d.counts} />
          </div>
        ))}
      </div>
    </>
  );
}
