import { architectureNames, DEFAULT_ARCHITECTURE } from '@moodlab/cnn/registry';
import { listDatasets, listRunSummaries } from '@moodlab/db';
import { hyperparametersSchema } from '@moodlab/shared';
import { ClassDistribution } from '@/components/class-distribution';
import { NewRunForm } from '@/components/new-run-form';
import { RunsTable } from '@/components/runs-table';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const { db } = services();
  const [datasets, runs] = await Promise.all([listDatasets(db), listRunSummaries(db)]);
  const defaults = hyperparametersSchema.parse({ architecture: DEFAULT_ARCHITECTURE });
  return (
    <>
      <h1>Runs</h1>
      <div className="card">
        <h2 style={{ marginTop: 0 }}>New training run</h2>
        <NewRunForm datasets={datasets.map((d) => ({ id: d.id, name: d.name }))} architectures={architectureNames()} defaults={defaults} />
      </div>
      <div className="card">
        <RunsTable runs={runs.map((r) => ({ id: r.id, status: r.status, architecture: r.architecture, backend: r.backend, tags: r.tags, createdAt: r.createdAt.toISOString(), dataset: r.dataset.name, epochs: r._count.epochs, bestValAccuracy: r.bestValAccuracy, macroF1: r.macroF1, durationMs: r.durationMs }))} />
      </div>
      <h1>Datasets</h1>
      <div className="grid">
        {datasets.map((d) => (
          <div className="card dataset" key={d.id}>
            <strong>{d.name}</strong> <span className="muted">({d.source}, {d.imageSize}px, digest {d.digest.slice(0, 10)})</span>
            <ClassDistribution classNames={d.classNames} counts={d.counts as Record<string, Record<string, number>>} />
          </div>
        ))}
      </div>
    </>
  );
}
