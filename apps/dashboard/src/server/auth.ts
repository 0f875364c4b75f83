import { randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { cookies } from 'next/headers';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { env } from './env';
import { HttpError } from './http-error';

/**
 * Optional admin password: when ADMIN_PASSWORD is set, actions that change state (start,
 * cancel, resume, promote, roll back, queue actions) need a session cookie from /signin or an
 * `Authorization: Bearer <password>` header. Pages and the prediction API stay public.
 */
export const SESSION_COOKIE = 'moodlab_session';

/** How long a sign-in lasts. */
export const SESSION_SECONDS = 7 * 24 * 3600;

/**
 * Sessions are signed tokens that expire (jose, HS256), never derived from the password: the key
 * is SESSION_SECRET, or one drawn at start (sessions then end when the dashboard restarts).
 */
const holder = globalThis as unknown as { __moodlabSessionKey?: Uint8Array };
const sessionKey = () =>
  (holder.__moodlabSessionKey ??= env.SESSION_SECRET
    ? new TextEncoder().encode(env.SESSION_SECRET)
    : new Uint8Array(randomBytes(32)));

async function validSession(token: string): Promise<boolean> {
  try {
    await jwtVerify(token, sessionKey(), { algorithms: ['HS256'], audience: 'moodlab-admin' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Wrong passwords: 10 per client address in 15 minutes, and 100 from all clients together (the
 * address comes from a header that a client can vary), then refused until the window passes.
 */
const perClient = new RateLimiterMemory({ points: 10, duration: 15 * 60 });
const overall = new RateLimiterMemory({ points: 100, duration: 15 * 60 });

function same(a: string, b: string): boolean {
  const x = Buffer.from(a),
    y = Buffer.from(b);
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
  return Boolean(cookie && (await validSession(cookie)));
}

export async function requireAdmin(req: Request): Promise<void> {
  if (!(await isAdmin(req)))
    throw new HttpError(401, 'sign in first: this dashboard has an admin password (ADMIN_PASSWORD)');
}

export type SignIn = { session: string } | { session: null; retryAfterSeconds?: number };

/** A session token for the right password; a wrong one counts against `client`, which is throttled. */
export async function signIn(password: string, client: string): Promise<SignIn> {
  for (const [limiter, key] of [
    [perClient, client],
    [overall, 'all'],
  ] as const) {
    const used = await limiter.get(key);
    if (used && used.remainingPoints <= 0)
      return { session: null, retryAfterSeconds: Math.ceil(used.msBeforeNext / 1000) };
  }
  if (!env.ADMIN_PASSWORD || !same(password, env.ADMIN_PASSWORD)) {
    await Promise.all([perClient.penalty(client, 1), overall.penalty('all', 1)]);
    return { session: null };
  }
  await perClient.delete(client);
  const session = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('moodlab-admin')
    .setIssuedAt()
    .setExpirationTime(`${SESSION_SECONDS}s`)
    .sign(sessionKey());
  return { session };
}
