import type { ClassMetrics, EpochMetricData, Hyperparameters, RunStatus, TrainProgress } from '@moodlab/shared';

/** A stored evaluation as the run page and the compare page show it. */
export interface Evaluation {
  id: string;
  datasetId: string;
  split: string;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  confusionMatrix: number[][];
}
export interface RunView {
  id: string;
  status: RunStatus;
  architecture: string;
  backend: string | null;
  error: string | null;
  workerId: string | null;
  hyperparameters: Hyperparameters;
  progress: TrainProgress | null;
  dataset: { id: string; name: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  epochs: (EpochMetricData & { id: string })[];
  modelVersions: { id: string; version: number; summary: Record<string, unknown>; evaluations: Evaluation[] }[];
  logs: string[];
  /** Set while the run's worker has missed its heartbeats (it died): how long it has been silent. */
  workerSilentSeconds?: number | null;
}

export interface DatasetChoice {
  id: string;
  name: string;
  splits: string[];
}
