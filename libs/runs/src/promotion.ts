import { z } from 'zod';
import { getModelVersion, promoteModelVersion, rollbackPromotion, type Db } from '@moodlab/db';
import { storableText } from '@moodlab/shared';
import { ConflictError, NotFoundError } from './errors';

/**
 * Which model version serves the live demo and the API: promote one (with why), or roll back to
 * the one promoted before. History is appended, never rewritten.
 */
export const promotionRequestSchema = z.object({ note: storableText().max(500).default('') }).strict();
export type PromotionRequest = z.input<typeof promotionRequestSchema>;

/** Promotes a model version; NotFoundError when there is none with that id. */
export async function promote(db: Db, modelVersionId: string, request: PromotionRequest = {}) {
  const { note } = promotionRequestSchema.parse(request);
  if (!(await getModelVersion(db, modelVersionId)))
    throw new NotFoundError(`Unknown model version id ${modelVersionId}`);
  return promoteModelVersion(db, modelVersionId, note);
}

/** Serves the version promoted before the current one again; ConflictError when there is none. */
export async function rollback(db: Db, request: PromotionRequest = {}) {
  const { note } = promotionRequestSchema.parse(request);
  const promotion = await rollbackPromotion(db, note);
  if (!promotion) throw new ConflictError('Nothing to roll back to: there is no earlier promoted version.');
  return promotion;
}
