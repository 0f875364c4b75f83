import { getSweepWithTrials, type Db } from '@moodlab/db';
import { ashaRungs, sweepSpecSchema, sweepViewSchema, type SweepView } from '@moodlab/shared';
import { NotFoundError } from '../errors';
import { plannedTrials } from './search-space';
import { formatMetric, trialScore } from './sweep-service';

export async function sweepView(db: Db, id: string): Promise<SweepView> {
  const s = await getSweepWithTrials(db, id);
  if (!s) throw new NotFoundError(`Unknown sweep id ${id}`);
  const spec = sweepSpecSchema.parse(s.spec);
  const rungs = ashaRungs(spec);
  return sweepViewSchema.parse({
    id: s.id,
    name: s.name,
    status: s.status,
    note: s.note,
    dataset: s.dataset,
    spec,
    planned: plannedTrials(spec),
    epochsSpent: s.runs.reduce((n, r) => n + r.epochs.length, 0),
    trials: s.runs.map((r) => {
      const score = trialScore(spec, r.epochs);
      return {
        runId: r.id,
        trialIndex: r.trialIndex ?? 0,
        status: r.status,
        epochs: r.epochs.length,
        rung: rungs.filter((e) => r.epochs.length >= e).length,
        score,
        metric: formatMetric(spec, score),
        params: r.trialParams ?? {},
        note: r.error,
        modelVersion: r.modelVersions[0] ?? null,
      };
    }),
  });
}
