import { z } from 'zod';

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

/** One face in an image: where it is, the detector's confidence, and the model's probabilities. */
export const facePredictionSchema = z.object({
  box: boxSchema,
  /** Detector confidence. */
  score: z.number(),
  /** Probability per class name, in the model's own class order. */
  scores: z.record(z.string(), z.number()),
  label: z.string(),
});
export type FacePrediction = z.infer<typeof facePredictionSchema>;

/**
 * What POST /api/predict returns for one image, and what a prediction thread sends back: the one
 * schema for the response, the thread protocol and the clients that read it.
 */
export const imagePredictionSchema = z.object({
  width: z.number(),
  height: z.number(),
  faces: z.array(facePredictionSchema),
  timings: z.object({ decodeMs: z.number(), detectMs: z.number(), classifyMs: z.number() }),
});
export type ImagePrediction = z.infer<typeof imagePredictionSchema>;

/** POST /api/predict's response: the image's prediction and the model version that made it. */
export const predictResponseSchema = imagePredictionSchema.extend({
  modelVersion: z.number().int(),
  modelVersionId: z.uuid(),
});
export type PredictResponse = z.infer<typeof predictResponseSchema>;

/** The bytes are not an image sharp can read (HTTP 400). */
export class ImageDecodeError extends Error {}
