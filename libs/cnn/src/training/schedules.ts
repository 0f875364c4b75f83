import type { Hyperparameters } from '@moodlab/shared';

export const PLATEAU_PATIENCE = 2;
export const PLATEAU_FACTOR = 0.2;

/**
 * Learning rate for a (0-based) epoch. Reduce-on-plateau depends on the run's history, so it
 * takes how many reductions have happened so far (kept in the checkpoint).
 */
export function learningRateAt(
  hp: Pick<Hyperparameters, 'learningRate' | 'lrSchedule' | 'epochs'>,
  epoch: number,
  plateauReductions = 0,
): number {
  switch (hp.lrSchedule) {
    case 'constant':
      return hp.learningRate;
    case 'plateau':
      return hp.learningRate * PLATEAU_FACTOR ** plateauReductions;
    case 'step': {
      const every = Math.max(1, Math.floor(hp.epochs / 3));
      return hp.learningRate * 0.1 ** Math.floor(epoch / every);
    }
    case 'cosine':
      return hp.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / hp.epochs));
  }
}
