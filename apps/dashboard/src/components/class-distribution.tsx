'use client';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

/** Images per class and split: the first figure of every FER notebook. */
export function ClassDistribution({
  classNames,
  counts,
}: {
  classNames: string[];
  counts: Record<string, Record<string, number>>;
}) {
  const splits = Object.keys(counts);
  const data = classNames.map((c) => ({
    label: c,
    ...Object.fromEntries(splits.map((s) => [s, counts[s]?.[c] ?? 0])),
  }));
  const colors = ['#3b5bdb', '#f08c00', '#2b8a3e', '#ae3ec9'];
  return (
    <BarChart width={520} height={220} data={data} className="class-distribution">
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="label" />
      <YAxis />
      <Tooltip />
      <Legend />
      {splits.map((s, i) => (
        <Bar key={s} dataKey={s} fill={colors[i % colors.length]} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}
