import { z } from 'zod';
import { ARCHITECTURE_NAMES, hyperparametersSchema } from '@moodlab/shared';
import { listDatasets, listSweeps } from '@moodlab/db';
import { NewSweepForm } from '@/components/sweep/new-sweep-form';
import type { FieldSchema } from '@/components/new-run-form';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

const HYPERPARAMETERS_JSON_SCHEMA = z.toJSONSchema(hyperparametersSchema, { io: 'input' }) as FieldSchema;

export default async function SweepsPage() {
  const { db } = services();
  const [sweeps, datasets] = await Promise.all([listSweeps(db), listDatasets(db)]);
  return (
    <>
      <h1>Sweeps</h1>
      <div className="card">
        <table>
          <thead>
            <tr>
              <th>Sweep</th>
              <th>Status</th>
              <th>Dataset</th>
              <th>Trials</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {sweeps.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={`/sweeps/${s.id}`}>{s.name}</a>
                </td>
                <td>{s.status}</td>
                <td>{s.dataset.name}</td>
                <td>{s._count.runs}</td>
                <td className="muted">{s.createdAt.toISOString().replace('T', ' ').slice(0, 16)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>New sweep</h2>
      <div className="card">
        <NewSweepForm
          datasets={datasets.filter((d) => d.packId).map((d) => ({ id: d.id, name: d.name }))}
          architectures={[...ARCHITECTURE_NAMES]}
          schema={HYPERPARAMETERS_JSON_SCHEMA}
        />
      </div>
    </>
  );
}
