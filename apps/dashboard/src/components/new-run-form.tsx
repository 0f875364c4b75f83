'use client';
import { apiErrorMessage, apiErrorSchema } from '@/api-error';
import { runCreatedSchema } from '@/api-schemas';
import { useState } from 'react';
import { useRouter } from 'next/navigation';

/** The JSON Schema subset that z.toJSONSchema emits for the hyperparameter schema. */
export interface FieldSchema {
  type?: string | string[];
  enum?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  description?: string;
  properties?: Record<string, FieldSchema>;
  /** A list field's element schema (a list of model versions). */
  items?: FieldSchema;
  /** A nullable field: its own schema and { type: 'null' }. */
  anyOf?: FieldSchema[];
}

interface Props {
  datasets: { id: string; name: string }[];
  architectures: string[];
  /** JSON Schema of the one hyperparameter schema (libs/shared): the form is generated from it. */
  schema: FieldSchema;
  defaults: Record<string, unknown>;
  datasetId?: string;
}

const label = (key: string) => key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());

function get(obj: Record<string, unknown>, path: string[]): unknown {
  return path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
    obj,
  );
}

function setIn(obj: Record<string, unknown>, path: string[], value: unknown): void {
  const last = path.at(-1)!;
  let o = obj;
  for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[last] = value;
}

/** Every leaf of the schema as a form field, named by its dotted path. */
function Fields({
  schema,
  path,
  defaults,
  errors,
  architectures,
}: {
  schema: FieldSchema;
  path: string[];
  defaults: Record<string, unknown>;
  errors: Record<string, string>;
  architectures: string[];
}) {
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, field]) => {
        let f = field;
        const p = [...path, key];
        const name = p.join('.');
        const value = get(defaults, p);
        const error = errors[`hyperparameters.${name}`];
        if (f.properties) {
          return (
            <fieldset key={name} className="nested">
              <legend>{label(key)}</legend>
              <Fields schema={f} path={p} defaults={defaults} errors={errors} architectures={architectures} />
            </fieldset>
          );
        }
        const nullable = f.anyOf?.some((s) => s.type === 'null') ?? false;
        if (nullable) f = { ...f, ...f.anyOf!.find((s) => s.type !== 'null') };
        let input;
        if (key === 'architecture')
          input = (
            <select name={name} defaultValue={String(value)}>
              {architectures.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          );
        else if (f.enum)
          input = (
            <select name={name} defaultValue={String(value)}>
              {f.enum.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          );
        else if (f.type === 'boolean') input = <input name={name} type="checkbox" defaultChecked={Boolean(value)} />;
        else if (f.type === 'number' || f.type === 'integer')
          input = (
            <input
              name={name}
              type="number"
              step={f.type === 'integer' ? 1 : 'any'}
              min={f.minimum ?? f.exclusiveMinimum}
              max={f.maximum}
              defaultValue={(value as number | null) ?? ''}
              data-kind={nullable ? 'number-or-null' : 'number'}
              placeholder={nullable ? 'none' : undefined}
            />
          );
        else if (f.type === 'array')
          input = (
            <input
              name={name}
              defaultValue={Array.isArray(value) ? value.join(', ') : ''}
              data-kind="number-list"
              placeholder="none (e.g. 2, 3)"
            />
          );
        else input = <input name={name} defaultValue={String(value ?? '')} />;
        return (
          <label key={name} title={f.description}>
            {label(key)}
            {input}
            {error && <span className="error field-error">{error}</span>}
          </label>
        );
      })}
    </>
  );
}

/** A field's value as the hyperparameter schema takes it, by the kind the field was rendered as. */
function fieldValue(input: HTMLInputElement | HTMLSelectElement): unknown {
  if (input instanceof HTMLInputElement && input.type === 'checkbox') return input.checked;
  const text = input.value.trim();
  switch (input.dataset.kind) {
    case 'number':
      return Number(text);
    case 'number-or-null':
      return text === '' ? null : Number(text);
    case 'number-list':
      return text === '' ? [] : text.split(',').map((v) => Number(v.trim()));
    default:
      return input.value;
  }
}

/** Starts a run through the same HTTP API any client uses; the server's messages appear at their fields. */
export function NewRunForm({ datasets, architectures, schema, defaults, datasetId }: Props) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(form: FormData, el: HTMLFormElement) {
    setBusy(true);
    setError(null);
    const hyperparameters: Record<string, unknown> = {};
    for (const input of Array.from(el.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]'))) {
      if (['datasetId', 'tags', 'priority'].includes(input.name)) continue;
      const value = fieldValue(input);
      setIn(hyperparameters, input.name.split('.'), value);
    }
    const tags = String(form.get('tags') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const body = {
      datasetId: form.get('datasetId'),
      hyperparameters,
      tags,
      priority: Number(form.get('priority')) || undefined,
    };
    const res = await fetch('/api/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json: unknown = await res.json();
    setBusy(false);
    if (res.ok) {
      router.push(`/runs/${runCreatedSchema.parse(json).id}`);
      return;
    }
    const failure = apiErrorSchema.safeParse(json).data;
    // "hyperparameters.epochs: Too big ...; other.path: ..." -> one message per field.
    const fieldErrors = Object.fromEntries(
      (failure?.details ?? '')
        .split('; ')
        .map((d) => d.split(': '))
        .filter((d) => d.length > 1)
        .map(([k, ...m]) => [k!, m.join(': ')]),
    );
    setErrors(fieldErrors);
    setError(apiErrorMessage(json, res.status));
  }
  return (
    // noValidate: the server checks against the one schema and its messages appear at the fields.
    <form
      className="new-run"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit(new FormData(e.currentTarget), e.currentTarget);
      }}
    >
      <label>
        Dataset
        <select name="datasetId" defaultValue={datasetId}>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <Fields schema={schema} path={[]} defaults={defaults} errors={errors} architectures={architectures} />
      <label>
        Tags (comma-separated)
        <input name="tags" placeholder="baseline, fer" />
      </label>
      <label>
        Priority (1 = first)
        <input name="priority" type="number" min={0} max={1000} defaultValue={0} />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Start training'}
      </button>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
