import { z } from 'zod';

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

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
export const threadReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('predicted'),
    id: z.number().int(),
    result: z.object({
      width: z.number(),
      height: z.number(),
      faces: z.array(
        z.object({ box: boxSchema, score: z.number(), scores: z.record(z.string(), z.number()), label: z.string() }),
      ),
      timings: z.object({ decodeMs: z.number(), detectMs: z.number(), classifyMs: z.number() }),
    }),
  }),
  z.object({ type: z.literal('failed'), id: z.number().int(), kind: z.enum(['decode', 'other']), message: z.string() }),
]);
export type ThreadReply = z.infer<typeof threadReplySchema>;
