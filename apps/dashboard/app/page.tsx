import { architectureNames, DEFAULT_ARCHITECTURE } from '@moodlab/cnn/registry';
import { listDatasets, listRuns } from '@moodlab/db';
import { hyperparametersSchema } from '@moodlab/shared';
import { ClassDistribution } from '@/components/class-distribution';
import { NewRunForm } from '@/components/new-run-form';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const { db } = services();
  const [datasets, runs] = await Promise.all([listDatasets(db), listRuns(db)]);
  const defaults = hyperparametersSchema.parse({ architecture: DEFAULT_ARCHITECTURE });
  return (
    <>
      <h1>Runs</h1>
      <div className="card">
        <h2 style={{ marginTop: 0 }}>New training run</h2>
        <NewRunForm datasets={datasets.map((d) => ({ id: d.id, name: d.name }))} architectures={architectureNames()} defaults={defaults} />
      </div>
      <div className="card">
        <table className="runs">
          <thead><tr><th>Run</th><th>Status</th><th>Dataset</th><th>Architecture</th><th>Epochs</th><th>Backend</th><th>Created</th></tr></thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td><a href={`/runs/${r.id}`}>{r.id.slice(0, 8)}</a></td>
                <td><span className={`status status-${r.status}`}>{r.status}</span></td>
                <td>{r.dataset.name}</td>
                <td>{r.architecture}</td>
                <td>{r._count.epochs}</td>
                <td>{r.backend ?? '–'}</td>
                <td className="muted">{r.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
              </tr>
            ))}
            {runs.length === 0 && <tr><td colSpan={7} className="muted">No runs yet: start one above.</td></tr>}
          </tbody>
        </table>
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
