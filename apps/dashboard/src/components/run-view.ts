export type { EvaluationView as Evaluation, RunView } from '@/api-schemas';

/** A dataset a model can be evaluated on, with its splits. */
export interface DatasetChoice {
  id: string;
  name: string;
  splits: string[];
}
