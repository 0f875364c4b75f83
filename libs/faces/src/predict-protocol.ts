import { z } from 'zod';
import { imagePredictionSchema } from './prediction';

/** Messages between a prediction pool and its threads (validated on both sides). */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes' });

export const threadRequestSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('predict'),
    id: z.number().int(),
    bytes,
    detector: z.enum(['tiny', 'ssd']),
    model: z.object({ key: z.string(), meta: z.unknown().optional(), data: bytes.optional() }),
  }),
]);
export type ThreadRequest = z.infer<typeof threadRequestSchema>;

export const threadReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('predicted'),
    id: z.number().int(),
    result: imagePredictionSchema,
  }),
  z.object({ type: z.literal('failed'), id: z.number().int(), kind: z.enum(['decode', 'other']), message: z.string() }),
]);
export type ThreadReply = z.infer<typeof threadReplySchema>;
