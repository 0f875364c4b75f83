import { describe, expect, it } from 'vitest';
import { describeValidationError } from './errors';
import { evaluatePayloadSchema } from './evaluate-queue';
import { trainPayloadSchema } from './train-queue';

const ids = { runId: '4f1c2a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', datasetId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };

describe('job payload schemas', () => {
  it('fills hyperparameter defaults from the one shared schema', () => {
    const p = trainPayloadSchema.parse({ ...ids, hyperparameters: { epochs: 3 } });
    expect(p.hyperparameters).toMatchObject({ epochs: 3, batchSize: 64, optimizer: 'adam' });
  });

  it('rejects malformed payloads with a message naming the field', () => {
    const bad = trainPayloadSchema.safeParse({ ...ids, runId: 'x', hyperparameters: { epochs: -1 } });
    expect(bad.success).toBe(false);
    const message = describeValidationError(bad.error);
    expect(message).toMatch(/runId/);
    expect(message).toMatch(/hyperparameters\.epochs/);
    expect(trainPayloadSchema.safeParse({ ...ids, hyperparameters: {}, extra: 1 }).success).toBe(false);
    expect(evaluatePayloadSchema.safeParse({ modelVersionId: ids.runId }).success).toBe(false);
  });
});
