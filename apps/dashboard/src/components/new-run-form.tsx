'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { Hyperparameters } from '@moodlab/shared';

interface Props {
  datasets: { id: string; name: string }[];
  architectures: string[];
  defaults: Hyperparameters;
  datasetId?: string;
}

/** Starts a run through the same HTTP API any client uses; the server's message is shown as is. */
export function NewRunForm({ datasets, architectures, defaults, datasetId }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(form: FormData) {
    setBusy(true);
    setError(null);
    const body = {
      datasetId: form.get('datasetId'),
      hyperparameters: {
        ...defaults,
        architecture: form.get('architecture'),
        epochs: Number(form.get('epochs')),
        batchSize: Number(form.get('batchSize')),
        learningRate: Number(form.get('learningRate')),
        optimizer: form.get('optimizer'),
        lrSchedule: form.get('lrSchedule'),
        seed: Number(form.get('seed')),
        classWeighting: form.get('classWeighting') === 'on',
        earlyStoppingPatience: Number(form.get('patience')),
        augmentation: { ...defaults.augmentation, enabled: form.get('augment') === 'on' },
      },
      priority: Number(form.get('priority')) || undefined,
    };
    const res = await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { id?: string; error?: string; details?: string };
    setBusy(false);
    if (!res.ok || !json.id) { setError(`${json.error ?? 'failed'}${json.details ? `: ${json.details}` : ''}`); return; }
    router.push(`/runs/${json.id}`);
  }
  return (
    <form className="new-run" action={submit}>
      <label>Dataset<select name="datasetId" defaultValue={datasetId}>{datasets.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</select></label>
      <label>Architecture<select name="architecture" defaultValue={defaults.architecture}>{architectures.map((a) => <option key={a}>{a}</option>)}</select></label>
      <label>Epochs<input name="epochs" type="number" min={1} max={500} defaultValue={defaults.epochs} /></label>
      <label>Batch size<input name="batchSize" type="number" min={1} max={1024} defaultValue={defaults.batchSize} /></label>
      <label>Learning rate<input name="learningRate" type="number" step="any" min={0} defaultValue={defaults.learningRate} /></label>
      <label>Optimizer<select name="optimizer" defaultValue={defaults.optimizer}><option>adam</option><option>sgd</option></select></label>
      <label>LR schedule<select name="lrSchedule" defaultValue={defaults.lrSchedule}><option>constant</option><option>step</option><option>cosine</option><option>plateau</option></select></label>
      <label>Early stopping patience<input name="patience" type="number" min={0} max={100} defaultValue={defaults.earlyStoppingPatience} /></label>
      <label>Seed<input name="seed" type="number" min={0} defaultValue={defaults.seed} /></label>
      <label>Priority (1 = first)<input name="priority" type="number" min={0} max={1000} defaultValue={0} /></label>
      <label>Class weights<input name="classWeighting" type="checkbox" defaultChecked={defaults.classWeighting} /></label>
      <label>Augmentation<input name="augment" type="checkbox" defaultChecked={defaults.augmentation.enabled} /></label>
      <button type="submit" disabled={busy}>{busy ? 'Starting…' : 'Start training'}</button>
      {error && <div className="error" role="alert">{error}</div>}
    </form>
  );
}
