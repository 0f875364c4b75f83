import { NextResponse } from 'next/server';
import { z } from 'zod';
import { SESSION_COOKIE, SESSION_SECONDS, signIn } from '@/server/auth';
import { HttpError, jsonRoute, readJson, requireSameOrigin } from '@/server/http';

const bodySchema = z.object({ password: z.string().min(1).max(1000) }).strict();

export const POST = jsonRoute(async (req: Request) => {
  requireSameOrigin(req);
  // Behind a proxy the client is its first forwarded address; here, the socket's peer, which Next does not expose.
  const client = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'direct';
  const result = await signIn(bodySchema.parse(await readJson(req)).password, client);
  if (result.session === null) {
    if (result.retryAfterSeconds)
      throw new HttpError(429, `too many wrong passwords; try again in ${result.retryAfterSeconds} s`);
    throw new HttpError(401, 'wrong password');
  }
  const res = NextResponse.json({ signedIn: true });
  res.cookies.set(SESSION_COOKIE, result.session, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: SESSION_SECONDS,
  });
  return res;
});
