'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { SWEEP_METHODS, SWEEP_METRICS } from '@moodlab/shared';
import { apiErrorMessage } from '@/api-error';
import { runCreatedSchema } from '@/api-schemas';
import type { FieldSchema } from '../new-run-form';

/** A searchable hyperparameter: a dotted path and what its schema allows. */
interface Leaf {
  path: string;
  kind: 'number' | 'integer' | 'enum' | 'boolean';
  options?: string[];
  minimum?: number;
  maximum?: number;
}

/** The leaves of the hyperparameter schema a sweep can vary (numbers, enums, booleans). */
function leaves(schema: FieldSchema, prefix = ''): Leaf[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, s]): Leaf[] => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (s.properties) return leaves(s, path);
    if (['epochs', 'initFrom', 'seed', 'architecture'].includes(path) || path.startsWith('preprocessing')) return [];
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    if (s.enum) return [{ path, kind: 'enum', options: s.enum }];
    if (type === 'number' || type === 'integer')
      return [{ path, kind: type, minimum: s.minimum ?? s.exclusiveMinimum, maximum: s.maximum }];
    if (type === 'boolean') return [{ path, kind: 'boolean' }];
    return [];
  });
}

const MODES = {
  number: ['off', 'fixed', 'choice', 'uniform', 'log-uniform'],
  integer: ['off', 'fixed', 'choice', 'int'],
  enum: ['off', 'fixed', 'choice'],
  boolean: ['off', 'fixed', 'choice'],
} as const;

/** Each field fixed, a list of values or a range: the sweep's form, generated from the hyperparameter schema. */
export function NewSweepForm({
  datasets,
  architectures,
  schema,
}: {
  datasets: { id: string; name: string }[];
  architectures: string[];
  schema: FieldSchema;
}) {
  const router = useRouter();
  const [modes, setModes] = useState<Record<string, string>>({ learningRate: 'log-uniform' });
  const [error, setError] = useState<string | null>(null);
  const fields = leaves(schema);
  const parse = (leaf: Leaf, text: string): string | number | boolean =>
    leaf.kind === 'boolean' ? text === 'true' : leaf.kind === 'enum' ? text : Number(text);
  const submit = async (form: FormData) => {
    setError(null);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const space: Record<string, unknown> = {};
    for (const leaf of fields) {
      const mode = modes[leaf.path] ?? 'off';
      if (mode === 'off') continue;
      if (mode === 'fixed') space[leaf.path] = { kind: 'fixed', value: parse(leaf, text(`${leaf.path}.value`)) };
      else if (mode === 'choice')
        space[leaf.path] = {
          kind: 'choice',
          values: text(`${leaf.path}.values`)
            .split(',')
            .map((v) => parse(leaf, v.trim())),
        };
      else
        space[leaf.path] = {
          kind: mode,
          low: Number(text(`${leaf.path}.low`)),
          high: Number(text(`${leaf.path}.high`)),
        };
    }
    const asha = form.get('asha') === 'on';
    const body = {
      name: text('name'),
      datasetId: text('datasetId'),
      base: { architecture: text('architecture') },
      space,
      method: text('method'),
      metric: text('metric'),
      budget: {
        trials: Number(text('trials')),
        parallelism: Number(text('parallelism')),
        maxEpochs: Number(text('maxEpochs')),
      },
      earlyTermination: asha ? { kind: 'asha', minEpochs: Number(text('minEpochs')), eta: Number(text('eta')) } : null,
    };
    const res = await fetch('/api/sweeps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) setError(apiErrorMessage(json, res.status));
    else router.push(`/sweeps/${runCreatedSchema.parse(json).id}`);
  };
  return (
    <form className="new-run" action={submit} data-testid="new-sweep">
      <label>
        Name
        <input name="name" required defaultValue="sweep" />
      </label>
      <label>
        Dataset
        <select name="datasetId">
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Architecture
        <select name="architecture">
          {architectures.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <label>
        Method
        <select name="method" defaultValue="random">
          {SWEEP_METHODS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <label>
        Metric
        <select name="metric">
          {Object.entries(SWEEP_METRICS).map(([m, goal]) => (
            <option key={m} value={m}>
              {m} ({goal})
            </option>
          ))}
        </select>
      </label>
      <label>
        Trials <input name="trials" type="number" min={1} defaultValue={12} />
      </label>
      <label>
        At a time <input name="parallelism" type="number" min={1} defaultValue={2} />
      </label>
      <label>
        Epochs per trial <input name="maxEpochs" type="number" min={1} defaultValue={6} />
      </label>
      <label>
        <input name="asha" type="checkbox" defaultChecked /> ASHA early termination: first rung at epoch{' '}
        <input name="minEpochs" type="number" min={1} defaultValue={1} style={{ width: 60 }} />, eta{' '}
        <input name="eta" type="number" min={2} defaultValue={3} style={{ width: 60 }} />
      </label>
      <fieldset>
        <legend>Search space (every other field keeps its default)</legend>
        {fields.map((leaf) => {
          const mode = modes[leaf.path] ?? 'off';
          return (
            <div key={leaf.path} className="sweep-field" data-testid={`space-${leaf.path}`}>
              <code>{leaf.path}</code>{' '}
              <select
                aria-label={`${leaf.path} mode`}
                value={mode}
                onChange={(e) => setModes({ ...modes, [leaf.path]: e.target.value })}
              >
                {MODES[leaf.kind].map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>{' '}
              {mode === 'fixed' && <input name={`${leaf.path}.value`} aria-label={`${leaf.path} value`} required />}
              {mode === 'choice' && (
                <input
                  name={`${leaf.path}.values`}
                  aria-label={`${leaf.path} values`}
                  placeholder={leaf.options?.join(',') ?? 'comma-separated'}
                  required
                />
              )}
              {(mode === 'uniform' || mode === 'log-uniform' || mode === 'int') && (
                <>
                  <input
                    name={`${leaf.path}.low`}
                    aria-label={`${leaf.path} low`}
                    placeholder={`low ≥ ${leaf.minimum ?? '–'}`}
                    required
                  />{' '}
                  <input
                    name={`${leaf.path}.high`}
                    aria-label={`${leaf.path} high`}
                    placeholder={`high ≤ ${leaf.maximum ?? '–'}`}
                    required
                  />
                </>
              )}
            </div>
          );
        })}
      </fieldset>
      <button type="submit">Start the sweep</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
