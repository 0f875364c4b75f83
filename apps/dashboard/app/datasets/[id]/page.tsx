import { notFound } from 'next/navigation';
import { getDataset } from '@moodlab/db';
import { ClassDistribution } from '@/components/class-distribution';
import { sampleIndices } from '@/server/dataset-images';
import { uuidParam } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const id = uuidParam.safeParse((await params).id);
  if (!id.success) notFound();
  const ds = await getDataset(services().db, id.data);
  if (!ds) notFound();
  const samples = ds.packId ? await sampleIndices(ds.id, 'train', 8) : null;
  const r = ds.report;
  return (
    <>
      <h1>Dataset {ds.name}</h1>
      <div className="card kv">
        <span className="muted">Source</span>
        <span>{ds.source}</span>
        <span className="muted">Image size</span>
        <span>{ds.imageSize} px</span>
        <span className="muted">Digest</span>
        <code>{ds.digest}</code>
      </div>
      <div className="card">
        <ClassDistribution classNames={ds.classNames} counts={ds.counts} />
      </div>
      <h2>Samples (train)</h2>
      <div className="card sample-grid" data-testid="samples">
        {samples === null && (
          <p className="muted">
            This dataset was registered from a model card: its images are not on this machine. Import them under the
            name <code>{ds.name}</code> to attach them.
          </p>
        )}
        {samples?.map((indices, c) => (
          <div key={c} className="sample-row">
            <strong>{ds.classNames[c]}</strong>
            {indices.map((i) => (
              <img
                key={i}
                src={`/api/datasets/${ds.id}/images/train/${i}`}
                alt={`${ds.classNames[c]} ${i}`}
                width={72}
                height={72}
              />
            ))}
          </div>
        ))}
      </div>
      <h2>Import report</h2>
      <div className="card" data-testid="import-report">
        {r === null ? (
          <p className="muted">Generated in code; nothing to report.</p>
        ) : (
          <table>
            <tbody>
              <tr>
                <td>Files read</td>
                <td>{r.files}</td>
              </tr>
              {Object.entries(r.kept).map(([split, n]) => (
                <tr key={split}>
                  <td>Kept in {split}</td>
                  <td>{n}</td>
                </tr>
              ))}
              <tr>
                <td>Undecodable</td>
                <td>{r.undecodable.length}</td>
              </tr>
              <tr>
                <td>Blank</td>
                <td>{r.blank.length}</td>
              </tr>
              <tr>
                <td>Duplicates within a split (kept once)</td>
                <td>{r.duplicatesWithinSplit}</td>
              </tr>
              <tr>
                <td>Conflicting labels (all copies dropped)</td>
                <td>{r.conflictingLabels}</td>
              </tr>
              <tr>
                <td>Also in an evaluation split (dropped from train)</td>
                <td>{r.crossSplitDuplicates}</td>
              </tr>
              <tr>
                <td>Unknown class folders</td>
                <td>{r.unknownClasses.join(', ') || 0}</td>
              </tr>
            </tbody>
          </table>
        )}
        {r !== null && r.undecodable.length + r.blank.length > 0 && (
          <details>
            <summary>Skipped files</summary>
            <ul>
              {[...r.undecodable.map((p) => `${p.file}: ${p.reason}`), ...r.blank.map((p) => `${p.file}: blank`)]
                .slice(0, 200)
                .map((l) => (
                  <li key={l}>
                    <code>{l}</code>
                  </li>
                ))}
            </ul>
          </details>
        )}
      </div>
    </>
  );
}
