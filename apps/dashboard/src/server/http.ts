import { NextResponse } from 'next/server';
import { z } from 'zod';
import { describeValidationError } from '@moodlab/jobs';
import { ImageDecodeError } from '@moodlab/faces/node';
import { ConflictError, NotFoundError } from '@moodlab/runs';
import { requireAdmin } from './auth';
import { HttpError } from './http-error';

export { HttpError } from './http-error';

/** Every API error is JSON with a readable message; nothing leaks a stack trace. */
export function errorResponse(err: unknown): NextResponse {
  if (err instanceof HttpError) return NextResponse.json({ error: err.message }, { status: err.status });
  if (err instanceof ImageDecodeError) return NextResponse.json({ error: err.message }, { status: 400 });
  if (err instanceof z.ZodError) return NextResponse.json({ error: 'invalid request', details: describeValidationError(err) }, { status: 400 });
  if (err instanceof NotFoundError) return NextResponse.json({ error: err.message }, { status: 404 });
  if (err instanceof ConflictError) return NextResponse.json({ error: err.message }, { status: 409 });
  console.error(err);
  return NextResponse.json({ error: 'internal error', details: (err as Error).message }, { status: 500 });
}

export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new z.ZodError([{ code: 'custom', path: [], message: 'body is not valid JSON', input: null }]);
  }
}

export const uuidParam = z.uuid();

/** Like jsonRoute, for handlers that change state: they need the admin session when a password is set. */
export function adminRoute<A extends [Request, ...unknown[]]>(handler: (...args: A) => Promise<Response>) {
  return jsonRoute(async (...args: A) => {
    await requireAdmin(args[0]);
    return handler(...args);
  });
}

/** Wraps a route handler so that any thrown error becomes the JSON error response above. */
export function jsonRoute<A extends unknown[]>(handler: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
