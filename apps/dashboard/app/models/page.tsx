import { formatPercent, type PipelineFigures } from '@moodlab/shared';
import { listDatasets, listModelVersions, promotionHistory, servingPromotion } from '@moodlab/db';
import { ImportKerasModel } from '@/components/import-keras-model';
import { PromoteButton, RollbackButton } from '@/components/model-actions';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function ModelsPage() {
  const { db } = services();
  const [versions, serving, history, datasets] = await Promise.all([
    listModelVersions(db),
    servingPromotion(db),
    promotionHistory(db),
    listDatasets(db),
  ]);
  return (
    <>
      <h1>Models</h1>
      <div className="card">
        <p>
          Serving:{' '}
          <strong data-testid="serving">{serving ? `v${serving.modelVersion.version}` : 'nothing promoted'}</strong>
          {serving && (
            <span className="muted">
              {' '}
              since {serving.createdAt.toISOString().replace('T', ' ').slice(0, 19)}
              {serving.note ? ` — ${serving.note}` : ''}
            </span>
          )}
        </p>
        <RollbackButton />
      </div>
      <div className="card">
        <table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Architecture</th>
              <th>Dataset</th>
              <th>Best val accuracy</th>
              <th>Evaluations</th>
              <th title="faces pasted into camera-sized frames, detected and classified as /demo and the API do">
                Live pipeline, 192 px
              </th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.id} data-testid={`model-v${v.version}`}>
                <td>
                  <a href={`/runs/${v.run.id}`}>v{v.version}</a>
                  {serving?.modelVersionId === v.id && ' ★'}
                  {v.summary.registeredFrom !== undefined && (
                    <span className="muted" title="registered from a model bundle (models/default ships one)">
                      {' '}
                      bundle
                    </span>
                  )}
                  {v.summary.imported && (
                    <span
                      className="muted"
                      title={`imported from ${v.summary.imported.fileName} (Keras ${v.summary.imported.kerasVersion ?? '?'})`}
                    >
                      {' '}
                      keras
                    </span>
                  )}
                </td>
                <td>{v.architecture}</td>
                <td>{v.run.dataset.name}</td>
                <td>{formatPercent(v.summary.bestValAccuracy)}</td>
                <td>
                  {v.evaluations
                    .map((e) => `${e.split}: ${formatPercent(e.accuracy)} acc, ${e.macroF1.toFixed(3)} F1`)
                    .join('; ') || '–'}
                </td>
                <td data-testid={`pipeline-v${v.version}`}>
                  <PipelineCell figures={v.summary.pipeline} />
                </td>
                <td className="muted">{v.createdAt.toISOString().slice(0, 10)}</td>
                <td>
                  {serving?.modelVersionId !== v.id && <PromoteButton id={v.id} version={v.version} />}{' '}
                  <a href={`/api/models/${v.id}/model.h5`} title="download as a Keras HDF5 file">
                    .h5
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Import a Keras model</h2>
      <div className="card">
        <ImportKerasModel datasets={datasets.map((d) => ({ id: d.id, name: d.name }))} />
      </div>
      <h2>Promotion history</h2>
      <div className="card">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Version</th>
              <th>Note</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {history.map((p) => (
              <tr key={p.id}>
                <td className="muted">{p.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>v{p.modelVersion.version}</td>
                <td>{p.note}</td>
                <td>{p.rollbackOf ? 'rollback' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** A model's live pipeline figures at 192 px (one face a frame), from its card; the rest in the tooltip. */
function PipelineCell({ figures }: { figures: PipelineFigures | undefined }) {
  const row = figures?.rows.find((r) => r.layout === 'one face' && r.facePx === 192);
  if (!figures || !row) return <span className="muted">–</span>;
  return (
    <span title={`${figures.setup} (${figures.measuredAt})`}>
      {formatPercent(row.overall)} of all faces, {formatPercent(row.ofDetected)} of the detected{' '}
      <span className="muted">(face-api {formatPercent(row.faceApiOverall)})</span>
    </span>
  );
}
