import { z } from 'zod';

/**
 * How a model did through the live pipeline (`tools/bench/pipeline-accuracy.ts --write-card`): faces
 * pasted into camera-sized frames, then detected, framed, cropped and classified as the server and
 * /demo do, beside face-api's own expression model on the same detections. Fractions, 0 to 1.
 */
export const pipelineFiguresSchema = z.object({
  measuredAt: z.iso.date(),
  /** The faces, frames, detector and classifier settings, in words. */
  setup: z.string(),
  rows: z.array(
    z.object({
      layout: z.string(),
      facePx: z.number().int().positive(),
      faces: z.number().int().nonnegative(),
      detected: z.number().min(0).max(1),
      exactCrops: z.number().min(0).max(1),
      ofDetected: z.number().min(0).max(1),
      overall: z.number().min(0).max(1),
      faceApiOfDetected: z.number().min(0).max(1),
      faceApiOverall: z.number().min(0).max(1),
    }),
  ),
  /** Per class, the share of the faces detected at 192 px (one a frame) that the model named right. */
  recallAt192: z.record(z.string(), z.number().min(0).max(1).nullable()),
});
export type PipelineFigures = z.infer<typeof pipelineFiguresSchema>;
