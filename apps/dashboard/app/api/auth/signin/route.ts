import { NextResponse } from 'next/server';
import { z } from 'zod';
import { checkPassword, SESSION_COOKIE } from '@/server/auth';
import { HttpError, jsonRoute, readJson } from '@/server/http';

const bodySchema = z.object({ password: z.string().min(1) }).strict();

export const POST = jsonRoute(async (req: Request) => {
  const session = checkPassword(bodySchema.parse(await readJson(req)).password);
  if (!session) throw new HttpError(401, 'wrong password');
  const res = NextResponse.json({ signedIn: true });
  res.cookies.set(SESSION_COOKIE, session, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 7 * 24 * 3600 });
  return res;
});
