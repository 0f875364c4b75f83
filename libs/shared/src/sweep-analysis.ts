/**
 * Which parameters mattered in a sweep, as W&B's parameter-importance panel reads: the rank
 * correlation of each parameter with the metric, and how much of the metric's variance the best
 * single split on that parameter explains (a one-level regression tree; a forest's importance is
 * the average of such splits, and with a dozen trials one level is what the data supports).
 * Choices are ranked in the order they were listed. Hand-written: a few lines of arithmetic.
 */
export interface ParameterImportance {
  parameter: string;
  /** Spearman's rank correlation with the metric (higher-is-better scores), -1..1. */
  correlation: number;
  /** Share of the metric's variance that the best split on this parameter removes, 0..1. */
  importance: number;
}

type Value = string | number | boolean;

function ranks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n,
    mb = b.reduce((s, v) => s + v, 0) / n;
  let num = 0,
    da = 0,
    db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return da && db ? num / Math.sqrt(da * db) : 0;
}

function sumSquares(v: number[]): number {
  const m = v.reduce((s, x) => s + x, 0) / (v.length || 1);
  return v.reduce((s, x) => s + (x - m) ** 2, 0);
}

export function parameterImportance(
  trials: { params: Record<string, Value>; score: number }[],
  parameters: string[],
  choices: Record<string, Value[]> = {},
): ParameterImportance[] {
  const scores = trials.map((t) => t.score);
  const total = sumSquares(scores);
  return parameters
    .map((parameter) => {
      const xs = trials.map((t) => {
        const v = t.params[parameter];
        const listed = choices[parameter];
        if (listed && v !== undefined) return listed.indexOf(v);
        return typeof v === 'number' ? v : Number(v === true);
      });
      const correlation = trials.length > 2 ? pearson(ranks(xs), ranks(scores)) : 0;
      let best = 0;
      const order = xs.map((x, i) => [x, scores[i]!] as const).sort((a, b) => a[0] - b[0]);
      for (let cut = 1; cut < order.length; cut++) {
        if (order[cut]![0] === order[cut - 1]![0]) continue;
        const left = order.slice(0, cut).map((o) => o[1]),
          right = order.slice(cut).map((o) => o[1]);
        best = Math.max(best, total ? 1 - (sumSquares(left) + sumSquares(right)) / total : 0);
      }
      return { parameter, correlation, importance: best };
    })
    .sort((a, b) => b.importance - a.importance);
}
