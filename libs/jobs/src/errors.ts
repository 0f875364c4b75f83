import { z } from 'zod';

/** One readable line per problem, e.g. "hyperparameters.epochs: Too big: expected number to be <=500". */
export function describeValidationError(err: unknown): string {
  if (err instanceof z.ZodError) {
    return err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`).join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}
