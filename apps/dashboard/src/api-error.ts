import { z } from 'zod';

/** Every API error's body (server/http.ts writes it): a readable message, and for invalid input its details. */
export const apiErrorSchema = z.object({ error: z.string(), details: z.unknown().optional() });
export type ApiError = z.infer<typeof apiErrorSchema>;

/** The message of an error response, or a fallback naming the status when the body is not ours. */
export function apiErrorMessage(body: unknown, status: number): string {
  return apiErrorSchema.safeParse(body).data?.error ?? `failed (HTTP ${status})`;
}
