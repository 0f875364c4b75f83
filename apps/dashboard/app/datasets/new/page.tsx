'use client';
import { useEffect, useState } from 'react';
import { apiErrorMessage } from '@/api-error';
import { importStatusSchema, jobAcceptedSchema, type ImportStatus } from '@/api-schemas';

/** Import a dataset: upload a zip of class folders, or name a folder or fer2013.csv on the workers' disk. */
export default function ImportDataset() {
  const [kind, setKind] = useState<'zip' | 'folder' | 'csv'>('zip');
  const [jobId, setJobId] = useState<string | null>(null);
  const [status, setStatus] = useState<ImportStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!jobId) return;
    const poll = async () => {
      const s = importStatusSchema.parse(await (await fetch(`/api/datasets/import/${jobId}`)).json());
      setStatus(s);
      if (s.state === 'completed' || s.state === 'failed') clearInterval(timer);
    };
    // A failed poll (the server restarting) is retried on the next tick.
    const timer = setInterval(() => void poll().catch(() => undefined), 500);
    return () => clearInterval(timer);
  }, [jobId]);
  const submit = async (form: FormData) => {
    setError(null);
    setStatus(null);
    setJobId(null);
    const common = {
      name: String(form.get('name')),
      imageSize: Number(form.get('imageSize')),
      onProblem: String(form.get('onProblem')),
    };
    // The server streams the file into storage; it reads the fields first, so they go first.
    const upload = new FormData();
    for (const [k, v] of Object.entries(common)) upload.set(k, String(v));
    const file = form.get('file');
    if (file) upload.set('file', file);
    const res =
      kind === 'zip'
        ? await fetch('/api/datasets/import', { method: 'POST', body: upload })
        : await fetch('/api/datasets/import', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...common, source: { kind, path: form.get('path') } }),
          });
    const body: unknown = await res.json();
    if (res.ok) setJobId(jobAcceptedSchema.parse(body).jobId);
    else setError(apiErrorMessage(body, res.status));
  };
  const p = status && typeof status.progress === 'object' ? status.progress : null;
  const fraction = p?.total ? (p.done ?? 0) / p.total : 0;
  return (
    <>
      <h1>Import a dataset</h1>
      <div className="card">
        <form className="new-run" action={submit}>
          <label>
            Name
            <input name="name" required pattern="[\w.\-]+" placeholder="fer2013" />
          </label>
          <label>
            Source
            <select value={kind} onChange={(e) => setKind(e.target.value as 'zip')}>
              <option value="zip">upload a zip of train/ validation/ class folders</option>
              <option value="folder">folder on the workers' disk</option>
              <option value="csv">fer2013.csv on the workers' disk</option>
            </select>
          </label>
          {kind === 'zip' ? (
            <label>
              Zip file
              <input name="file" type="file" accept=".zip,application/zip" required data-testid="zip" />
            </label>
          ) : (
            <label>
              Path
              <input name="path" required placeholder="/data/fer2013" />
            </label>
          )}
          <label>
            Image size
            <input name="imageSize" type="number" min={16} max={128} defaultValue={48} />
          </label>
          <label>
            On bad files
            <select name="onProblem">
              <option value="skip">skip and report</option>
              <option value="fail">fail the import</option>
            </select>
          </label>
          <button type="submit">Import</button>
        </form>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
      </div>
      {jobId && (
        <div className="card" data-testid="import-status">
          <div className="progress">
            <div style={{ width: `${(status?.state === 'completed' ? 1 : fraction) * 100}%` }} />
          </div>
          <p>
            {status?.state ?? 'queued'}
            {p?.total ? `: ${p.done}/${p.total} images` : ''}
          </p>
          {status?.error && <p className="error">{status.error}</p>}
          {status?.result && (
            <p>
              Imported {status.result.files} files (
              {Object.entries(status.result.kept)
                .map(([s, n]) => `${n} ${s}`)
                .join(', ')}
              ). <a href={`/datasets/${status.result.datasetId}`}>Open the dataset</a>
            </p>
          )}
        </div>
      )}
    </>
  );
}
