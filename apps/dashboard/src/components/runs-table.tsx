'use client';
import { formatPercent } from '@moodlab/shared';
import { useMemo, useState } from 'react';
import { useRouter } from 'next/navigation';

export interface RunRow {
  id: string;
  status: string;
  architecture: string;
  backend: string | null;
  tags: string[];
  createdAt: string;
  dataset: string;
  epochs: number;
  bestValAccuracy: number | null;
  macroF1: number | null;
  durationMs: number | null;
}

type SortKey = 'createdAt' | 'bestValAccuracy' | 'macroF1' | 'durationMs' | 'epochs';
const dur = (ms: number | null) =>
  ms == null ? '–' : ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`;

/** Sort, filter and select runs to compare; all client-side over at most 1,000 rows. */
export function RunsTable({ runs }: { runs: RunRow[] }) {
  const router = useRouter();
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'createdAt', desc: true });
  const [filter, setFilter] = useState({ status: '', dataset: '', architecture: '', text: '' });
  const [selected, setSelected] = useState<string[]>([]);
  const options = (f: (r: RunRow) => string) => [...new Set(runs.map(f))].sort();
  const shown = useMemo(() => {
    const text = filter.text.toLowerCase();
    const rows = runs.filter(
      (r) =>
        (!filter.status || r.status === filter.status) &&
        (!filter.dataset || r.dataset === filter.dataset) &&
        (!filter.architecture || r.architecture === filter.architecture) &&
        (!text ||
          r.tags.some((t) => t.toLowerCase().includes(text)) ||
          r.id.startsWith(text) ||
          r.createdAt.startsWith(text)),
    );
    const value = (r: RunRow) => (sort.key === 'createdAt' ? r.createdAt : (r[sort.key] ?? -Infinity));
    return rows.sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0) * (sort.desc ? -1 : 1));
  }, [runs, sort, filter]);
  const header = (key: SortKey, label: string) => (
    <th>
      <button
        className="link"
        data-testid={`sort-${key}`}
        onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }))}
      >
        {label}
        {sort.key === key ? (sort.desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-10)));
  return (
    <>
      <div className="filters">
        {(['status', 'dataset', 'architecture'] as const).map((k) => (
          <label key={k}>
            {k}
            <select value={filter[k]} onChange={(e) => setFilter({ ...filter, [k]: e.target.value })}>
              <option value="">all</option>
              {options((r) => r[k]).map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </label>
        ))}
        <label>
          tag, id or date
          <input
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
            placeholder="e.g. fer-default or 2026-11"
          />
        </label>
        <button
          disabled={selected.length < 2}
          data-testid="compare"
          onClick={() => router.push(`/compare?ids=${selected.join(',')}`)}
        >
          Compare {selected.length || ''}
        </button>
        <span className="muted">
          {shown.length} of {runs.length} runs
        </span>
      </div>
      <table className="runs">
        <thead>
          <tr>
            <th />
            <th>Run</th>
            <th>Status</th>
            <th>Dataset</th>
            <th>Architecture</th>
            {header('epochs', 'Epochs')}
            {header('bestValAccuracy', 'Best val acc')}
            {header('macroF1', 'Macro-F1')}
            {header('durationMs', 'Duration')}
            <th>Backend</th>
            <th>Tags</th>
            {header('createdAt', 'Created')}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`select ${r.id.slice(0, 8)}`}
                  checked={selected.includes(r.id)}
                  onChange={() => toggle(r.id)}
                />
              </td>
              <td>
                <a href={`/runs/${r.id}`}>{r.id.slice(0, 8)}</a>
              </td>
              <td>
                <span className={`status status-${r.status}`}>{r.status}</span>
              </td>
              <td>{r.dataset}</td>
              <td>{r.architecture}</td>
              <td>{r.epochs}</td>
              <td>{formatPercent(r.bestValAccuracy)}</td>
              <td>{r.macroF1 == null ? '–' : r.macroF1.toFixed(3)}</td>
              <td>{dur(r.durationMs)}</td>
              <td>{r.backend ?? '–'}</td>
              <td>{r.tags.join(', ')}</td>
              <td className="muted">{r.createdAt.replace('T', ' ').slice(0, 16)}</td>
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={12} className="muted">
                No runs match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
