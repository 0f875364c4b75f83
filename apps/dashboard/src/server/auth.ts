import { createHash, timingSafeEqual } from 'node:crypto';
import { cookies } from 'next/headers';
import { env } from './env';
import { HttpError } from './http-error';

/**
 * Optional admin password: when ADMIN_PASSWORD is set, actions that change state (start,
 * cancel, resume, promote, roll back, queue actions) need a session cookie from /signin or an
 * `Authorization: Bearer <password>` header. Pages and the prediction API stay public.
 */
export const SESSION_COOKIE = 'moodlab_session';

const token = (password: string) => createHash('sha256').update(`moodlab-session:${password}`).digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authRequired(): boolean {
  return Boolean(env.ADMIN_PASSWORD);
}

export async function isAdmin(req?: Request): Promise<boolean> {
  if (!env.ADMIN_PASSWORD) return true;
  const bearer = req?.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  if (bearer && same(bearer, env.ADMIN_PASSWORD)) return true;
  const cookie = (await cookies()).get(SESSION_COOKIE)?.value;
  return Boolean(cookie && same(cookie, token(env.ADMIN_PASSWORD)));
}

export async function requireAdmin(req: Request): Promise<void> {
  if (!(await isAdmin(req))) throw new HttpError(401, 'sign in first: this dashboard has an admin password (ADMIN_PASSWORD)');
}

export function checkPassword(password: string): string | null {
  return env.ADMIN_PASSWORD && same(password, env.ADMIN_PASSWORD) ? token(env.ADMIN_PASSWORD) : null;
}
