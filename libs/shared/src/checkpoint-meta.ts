import { z } from 'zod';

/**
 * What a stored checkpoint says of itself beside its bytes (the artifact's JSON `meta`): enough for
 * a worker to know where a resumed run starts without decoding the checkpoint, which only the
 * training process can do.
 */
export const checkpointMetaSchema = z.object({
  format: z.literal('moodlab-checkpoint-v1'),
  /** The next epoch to run: the number of epochs the checkpoint holds. */
  nextEpoch: z.number().int().min(0),
  architecture: z.string(),
});
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;
