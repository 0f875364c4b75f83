'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import {
  CLASS_ORDER_PRESET_NAMES,
  CLASS_ORDER_PRESETS,
  EMOTIONS,
  NORMALIZATIONS,
  type ClassOrderPreset,
} from '@moodlab/shared';
import { apiErrorMessage } from '@/api-error';
import { kerasImportedSchema } from '@/api-schemas';

const ORDER_LABELS: Record<ClassOrderPreset, string> = {
  'fer2013-csv': 'fer2013.csv labels 0-6',
  alphabetical: 'alphabetical (flow_from_directory)',
};
const NORMALIZATION_LABELS: Record<(typeof NORMALIZATIONS)[number], string> = {
  scale01: 'x / 255, in [0, 1]',
  scale11: 'x / 127.5 - 1, in [-1, 1]',
  standardize: 'per-image standardisation',
};

/**
 * Upload a Keras model (.h5 or .keras). A Keras file does not say its class order or its input
 * normalisation, so the form asks; a file `moodlab export` wrote records both and they win.
 */
export function ImportKerasModel({ datasets }: { datasets: { id: string; name: string }[] }) {
  const router = useRouter();
  const [order, setOrder] = useState<string>('fer2013-csv');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; href?: string; error?: boolean } | null>(null);
  const submit = async (form: FormData) => {
    setBusy(true);
    setMessage(null);
    if (order !== 'custom') form.set('classOrder', order);
    try {
      const res = await fetch('/api/models/import', { method: 'POST', body: form });
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok) {
        setMessage({ text: apiErrorMessage(body, res.status), error: true });
        return;
      }
      const r = kerasImportedSchema.parse(body);
      setMessage(
        r.created
          ? {
              text: `Imported as v${r.version}${r.evaluationJobId ? '; a worker is evaluating it on the validation split' : ''}.`,
              href: r.runId ? `/runs/${r.runId}` : undefined,
            }
          : { text: `These weights are already v${r.version}; nothing imported.` },
      );
      router.refresh();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="new-run" action={submit} data-testid="import-keras">
      <label>
        Keras file
        <input name="file" type="file" accept=".h5,.hdf5,.keras" required />
      </label>
      <label>
        Dataset (its classes; its validation split evaluates the model)
        <select name="datasetId" required>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Output order
        <select value={order} onChange={(e) => setOrder(e.target.value)} name="classOrderPreset">
          {CLASS_ORDER_PRESET_NAMES.map((name) => (
            <option key={name} value={name}>
              {ORDER_LABELS[name]}: {CLASS_ORDER_PRESETS[name].join(', ')}
            </option>
          ))}
          <option value="custom">another order…</option>
        </select>
      </label>
      {order === 'custom' && (
        <label>
          Classes in output order, comma-separated
          <input name="classOrder" required placeholder={EMOTIONS.join(',')} />
        </label>
      )}
      <label>
        Input normalisation
        <select name="normalization" defaultValue="scale11">
          {NORMALIZATIONS.map((n) => (
            <option key={n} value={n}>
              {n}: {NORMALIZATION_LABELS[n]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Importing…' : 'Import'}
      </button>
      {message && (
        <p className={message.error ? 'error' : undefined} data-testid="import-keras-result">
          {message.text} {message.href && <a href={message.href}>Open its run</a>}
        </p>
      )}
    </form>
  );
}
