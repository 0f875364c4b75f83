import { z } from 'zod';
import { hyperparametersSchema } from '@moodlab/shared';
import { BACKEND_ORDER } from '../backend/select-backend';

const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected Float32Array' });
const i32 = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected Int32Array' });
const u8 = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected Uint8Array' });

export const replicaRequestSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    index: z.number().int().min(1),
    hyperparameters: hyperparametersSchema,
    numClasses: z.number().int().min(2),
    classWeights: f32.nullable(),
    backend: z.enum(BACKEND_ORDER),
  }),
  z.object({
    type: z.literal('step'),
    epoch: z.number().int().min(0),
    /** Views of memory shared with the coordinator: read at the start of the step. */
    weights: z.array(f32),
    /** Views of memory shared with the coordinator that receive this step's gradients. */
    gradsInto: z.array(f32),
    pixels: f32,
    labels: i32,
    /** The teachers' soft labels for this slice (slice x K), when distilling. */
    teacher: f32.nullable(),
  }),
  z.object({
    type: z.literal('predict'),
    /** Every weight of the model (BatchNorm's moving statistics too), in model.weights order. */
    weights: z.array(f32),
    images: u8,
    size: z.number().int().min(1),
    /** Average each image's probabilities with its mirror's (flip TTA). */
    flipTta: z.boolean(),
  }),
]);
export type ReplicaRequest = z.infer<typeof replicaRequestSchema>;

export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'gradients'; lossSum: number; hits: number; count: number; grads: Float32Array[]; tensors: number }
  | { type: 'probabilities'; probs: Float32Array }
  | { type: 'error'; message: string };
