import type { Hyperparameters } from '@moodlab/shared';

/** Learning rate for a (0-based) epoch. */
export function learningRateAt(hp: Pick<Hyperparameters, 'learningRate' | 'lrSchedule' | 'epochs'>, epoch: number): number {
  switch (hp.lrSchedule) {
    case 'constant':
      return hp.learningRate;
    case 'step': {
      const every = Math.max(1, Math.floor(hp.epochs / 3));
      return hp.learningRate * 0.1 ** Math.floor(epoch / every);
    }
    case 'cosine':
      return hp.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / hp.epochs));
  }
}
