'use client';
import { useRef, useState } from 'react';

/** One line per trial across its parameters to the metric; drag on an axis to keep a range (brushing). */
export interface Axis {
  key: string;
  label: string;
  /** Numeric axes place values linearly (log for log ranges); others evenly by their listed order. */
  scale: 'linear' | 'log' | 'points';
  points?: (string | number | boolean)[];
}
export type Brushes = Record<string, [number, number]>;

const W = 900,
  H = 300,
  PAD = 60,
  GRIP = 12;

type Row = { id: string; values: Record<string, string | number | boolean>; color: string };

function position(axis: Axis, values: (string | number | boolean)[], v: string | number | boolean): number {
  if (axis.scale === 'points') {
    const pts = axis.points ?? [];
    return pts.length > 1 ? pts.indexOf(v) / (pts.length - 1) : 0.5;
  }
  const nums = values.filter((x): x is number => typeof x === 'number');
  const f = (x: number) => (axis.scale === 'log' ? Math.log(x) : x);
  const lo = Math.min(...nums.map(f)),
    hi = Math.max(...nums.map(f));
  return hi > lo && typeof v === 'number' ? (f(v) - lo) / (hi - lo) : 0.5;
}

/** The values to print beside an axis: its ends for numeric axes, every point for the others. */
function axisTicks(axis: Axis, values: (string | number | boolean)[]): { t: number; text: string }[] {
  const text = (v: string | number | boolean) => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : String(v));
  if (axis.scale === 'points') return (axis.points ?? []).map((v) => ({ t: position(axis, values, v), text: text(v) }));
  const nums = values.filter((x): x is number => typeof x === 'number');
  if (!nums.length) return [];
  const lo = Math.min(...nums),
    hi = Math.max(...nums);
  return hi > lo
    ? [
        { t: 0, text: text(lo) },
        { t: 1, text: text(hi) },
      ]
    : [{ t: 0.5, text: text(lo) }];
}

/** Where a row's value sits on its axis, 0 (bottom) to 1 (top). */
function unitOf(axes: Axis[], rows: Row[], key: string, v: string | number | boolean): number {
  const axis = axes.find((a) => a.key === key)!;
  return position(
    axis,
    rows.map((r) => r.values[key]).filter((x) => x !== undefined),
    v,
  );
}

/** The rows inside every brush. */
export function brushedRows(axes: Axis[], rows: Row[], brushes: Brushes): Set<string> {
  return new Set(
    rows
      .filter((r) =>
        Object.entries(brushes).every(([k, [a, b]]) => {
          const v = r.values[k];
          if (v === undefined) return false;
          const t = unitOf(axes, rows, k, v);
          return t >= Math.min(a, b) && t <= Math.max(a, b);
        }),
      )
      .map((r) => r.id),
  );
}

export function ParallelCoordinates({
  axes,
  rows,
  brushes,
  onBrush,
}: {
  axes: Axis[];
  rows: Row[];
  brushes: Brushes;
  onBrush: (b: Brushes) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ key: string; from: number; to: number } | null>(null);
  const x = (i: number) => PAD + (i * (W - 2 * PAD)) / Math.max(1, axes.length - 1);
  const y = (t: number) => H - PAD - t * (H - 2 * PAD);
  const unit = (key: string, v: string | number | boolean) => unitOf(axes, rows, key, v);
  const kept = brushedRows(axes, rows, brushes);
  const inBrush = (r: Row) => kept.has(r.id);
  const toUnit = (clientY: number) => {
    const box = svg.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (H - PAD - ((clientY - box.top) * H) / box.height) / (H - 2 * PAD)));
  };
  return (
    <svg
      ref={svg}
      viewBox={`0 0 ${W} ${H}`}
      className="parallel-coordinates"
      data-testid="parallel-coordinates"
      onMouseMove={(e) => drag && setDrag({ ...drag, to: toUnit(e.clientY) })}
      onMouseUp={() => {
        if (!drag) return;
        const next = { ...brushes };
        if (Math.abs(drag.to - drag.from) < 0.02) delete next[drag.key];
        else next[drag.key] = [drag.from, drag.to];
        onBrush(next);
        setDrag(null);
      }}
    >
      {rows.map((r) => (
        <polyline
          key={r.id}
          fill="none"
          stroke={inBrush(r) ? r.color : '#ddd'}
          strokeWidth={inBrush(r) ? 2 : 1}
          points={axes
            .filter((a) => r.values[a.key] !== undefined)
            .map((a) => `${x(axes.indexOf(a))},${y(unit(a.key, r.values[a.key]!))}`)
            .join(' ')}
        />
      ))}
      {axes.map((a, i) => {
        const brush: [number, number] | undefined = drag?.key === a.key ? [drag.from, drag.to] : brushes[a.key];
        return (
          <g key={a.key} onMouseDown={(e) => setDrag({ key: a.key, from: toUnit(e.clientY), to: toUnit(e.clientY) })}>
            {/* Reaches past both ends so that a drag can start at an axis's very top or bottom. */}
            <rect
              x={x(i) - 12}
              y={PAD - GRIP}
              width={24}
              height={H - 2 * PAD + 2 * GRIP}
              fill="transparent"
              style={{ cursor: 'ns-resize' }}
            />
            <line x1={x(i)} x2={x(i)} y1={PAD} y2={H - PAD} stroke="#333" />
            {brush && (
              <rect
                data-testid={`brush-${a.key}`}
                x={x(i) - 6}
                width={12}
                y={y(Math.max(brush[0], brush[1]))}
                height={Math.abs(brush[1] - brush[0]) * (H - 2 * PAD)}
                fill="rgba(59,91,219,0.25)"
                stroke="#3b5bdb"
              />
            )}
            <text x={x(i)} y={PAD - 10} textAnchor="middle" fontSize={11}>
              {a.label}
            </text>
            {axisTicks(
              a,
              rows.map((r) => r.values[a.key]).filter((v) => v !== undefined),
            ).map(({ t, text }) => (
              <text key={text} x={x(i) + 8} y={y(t) + 4} fontSize={10} fill="#666" data-testid={`tick-${a.key}`}>
                {text}
              </text>
            ))}
          </g>
        );
      })}
    </svg>
  );
}
