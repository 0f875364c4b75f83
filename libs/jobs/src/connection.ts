import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * BullMQ Workers block on Redis and need `maxRetriesPerRequest: null`; Queues used from HTTP
 * handlers should fail fast instead, so the caller says which it is.
 */
export function createRedis(url: string = DEFAULT_REDIS_URL, role: 'worker' | 'client' = 'client'): Redis {
  return new Redis(
    url,
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false },
  );
}
