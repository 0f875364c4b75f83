import pRetry from 'p-retry';

/**
 * Postgres going away for a while (a restart, a failover, a full pool) is a fault to ride out,
 * not a reason to fail a run: these errors are retried, every other one is thrown at once.
 */
const TRANSIENT_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
const TRANSIENT_TEXT = new RegExp(
  [
    'ECONNREFUSED',
    'ECONNRESET',
    'Connection terminated',
    'terminating connection',
    'database system is (starting up|shutting down)',
    "Can't reach database",
    'closed the connection',
    'Connection closed',
    'connect ETIMEDOUT',
    'DatabaseNotReachable',
    'ConnectionClosed',
  ].join('|'),
  'i',
);

/** Whether an error says the database could not be reached, rather than that the query was wrong. */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') break;
    const { code, message, name, cause } = e as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (name === 'PrismaClientInitializationError') return true;
    if (typeof message === 'string' && TRANSIENT_TEXT.test(message)) return true;
    e = cause;
  }
  return false;
}

/** One line for a log: Prisma's messages open with the call site, and their last line says what happened. */
export function describeError(err: unknown): string {
  return (
    (err instanceof Error ? err.message : String(err))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? 'unknown error'
  );
}

export interface RetryOptions {
  /** Give up after this long (the error is then thrown). */
  maxMs?: number;
  /** Told before each wait, e.g. to say so in the log. */
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Runs `fn`, retrying it with exponential backoff (0.25 s doubling to 5 s) while the database is unreachable. */
export function withDbRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  return pRetry(fn, {
    retries: 1000,
    minTimeout: 250,
    maxTimeout: 5000,
    factor: 2,
    randomize: true,
    maxRetryTime: opts.maxMs ?? 120_000,
    shouldRetry: (err) => isConnectionError(err),
    onFailedAttempt: (err) => {
      if (isConnectionError(err)) opts.onRetry?.(err, err.attemptNumber);
    },
  });
}
