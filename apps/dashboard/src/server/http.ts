import { NextResponse } from 'next/server';
import { z } from 'zod';
import { describeValidationError } from '@moodlab/jobs';
import { ImageDecodeError } from '@moodlab/faces/node';
import { ConflictError, ForbiddenError, InvalidRequestError, NotFoundError, PayloadTooLargeError } from '@moodlab/runs';
import { requireAdmin } from './auth';
import { HttpError } from './http-error';

export { HttpError } from './http-error';

/** Every API error is JSON with a readable message; nothing leaks a stack trace. */
export function errorResponse(err: unknown): NextResponse {
  if (err instanceof HttpError) return NextResponse.json({ error: err.message }, { status: err.status });
  if (err instanceof ImageDecodeError) return NextResponse.json({ error: err.message }, { status: 400 });
  if (err instanceof z.ZodError)
    return NextResponse.json({ error: 'invalid request', details: describeValidationError(err) }, { status: 400 });
  if (err instanceof InvalidRequestError) return NextResponse.json({ error: err.message }, { status: 400 });
  if (err instanceof PayloadTooLargeError) return NextResponse.json({ error: err.message }, { status: 413 });
  if (err instanceof NotFoundError) return NextResponse.json({ error: err.message }, { status: 404 });
  if (err instanceof ConflictError) return NextResponse.json({ error: err.message }, { status: 409 });
  if (err instanceof ForbiddenError) return NextResponse.json({ error: err.message }, { status: 403 });
  // The detail (a database's error text, a path) is for the server's log, not for the client.
  console.error(err);
  return NextResponse.json({ error: 'internal error; the server log has the details' }, { status: 500 });
}

/**
 * A JSON body, sent as application/json: a page on another site can send text/plain or form
 * bodies without asking the browser's permission (CORS), but not this type.
 */
export async function readJson(req: Request): Promise<unknown> {
  if (!/^application\/json\s*(;|$)/i.test(req.headers.get('content-type') ?? ''))
    throw new HttpError(415, 'send the body as JSON with content-type: application/json');
  try {
    return await req.json();
  } catch {
    throw new z.ZodError([{ code: 'custom', path: [], message: 'body is not valid JSON', input: null }]);
  }
}

export const uuidParam = z.uuid();

/**
 * Refuses a request that a page of another site made the browser send (a form, a bodyless POST):
 * it would act with the user's session, or on a dashboard without a password. Browsers say where
 * a request comes from in Sec-Fetch-Site and Origin; clients that are not browsers send neither.
 */
export function requireSameOrigin(req: Request): void {
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none')
    throw new HttpError(403, `cross-site request refused (${site})`);
  const origin = req.headers.get('origin');
  if (origin === null) return;
  // Behind a proxy that rewrites Host, the browser's host arrives as X-Forwarded-Host (a page of
  // another site cannot set that header without a CORS preflight, which this server never grants).
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    /* "null" or garbage: refused below */
  }
  if (!host || originHost !== host) throw new HttpError(403, 'cross-origin request refused');
}

/** Like jsonRoute, for handlers that change state: same-origin only, and the admin session when a password is set. */
export function adminRoute<A extends [Request, ...unknown[]]>(handler: (...args: A) => Promise<Response>) {
  return jsonRoute(async (...args: A) => {
    requireSameOrigin(args[0]);
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
