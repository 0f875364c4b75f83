import { z } from 'zod';

/** Every API error's body (server/http.ts writes it): a readable message, and for invalid input which fields. */
export const apiErrorSchema = z.object({ error: z.string(), details: z.string().optional() });

/** The message of an error response with its details, or a fallback naming the status when the body is not ours. */
export function apiErrorMessage(body: unknown, status: number): string {
  const parsed = apiErrorSchema.safeParse(body);
  if (!parsed.success) return `failed (HTTP ${status})`;
  return parsed.data.details ? `${parsed.data.error}: ${parsed.data.details}` : parsed.data.error;
}
