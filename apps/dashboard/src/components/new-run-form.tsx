'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';

interface Props {
  datasets: { id: string; name: string }[];
  architectures: string[];
  defaults: { epochs: number; batchSize: number; learningRate: number; optimizer: string; architecture: string };
}

/** Starts a run through the same HTTP API any client uses; the server's message is shown as is. */
export function NewRunForm({ datasets, architectures, defaults }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(form: FormData) {
    setBusy(true);
    setError(null);
    const body = {
      datasetId: form.get('datasetId'),
      hyperparameters: {
        architecture: form.get('architecture'),
        epochs: Number(form.get('epochs')),
        batchSize: Number(form.get('batchSize')),
        learningRate: Number(form.get('learningRate')),
        optimizer: form.get('optimizer'),
        augmentation: { enabled: form.get('augment') === 'on' },
      },
    };
    const res = await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { id?: string; error?: string; details?: string };
    setBusy(false);
    if (!res.ok || !json.id) { setError(`${json.error ?? 'failed'}${json.details ? `: ${json.details}` : ''}`); return; }
    router.push(`/runs/${json.id}`);
  }
  return (
    <form className="new-run" action={submit}>
      <label>Dataset<select name="datasetId">{datasets.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</select></label>
      <label>Architecture<select name="architecture" defaultValue={defaults.architecture}>{architectures.map((a) => <option key={a}>{a}</option>)}</select></label>
      <label>Epochs<input name="epochs" type="number" min={1} max={500} defaultValue={defaults.epochs} /></label>
      <label>Batch size<input name="batchSize" type="number" min={1} max={1024} defaultValue={defaults.batchSize} /></label>
      <label>Learning rate<input name="learningRate" type="number" step="any" min={0} defaultValue={defaults.learningRate} /></label>
      <label>Optimizer<select name="optimizer" defaultValue={defaults.optimizer}><option>adam</option><option>sgd</option></select></label>
      <label>Augmentation<input name="augment" type="checkbox" /></label>
      <button type="submit" disabled={busy}>{busy ? 'Starting…' : 'Start training'}</button>
      {error && <div className="error" role="alert">{error}</div>}
    </form>
  );
}
