import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/client';

export type Db = InstanceType<typeof PrismaClient>;

import { DEFAULT_DATABASE_URL } from './urls';

const pools = new WeakMap<Db, Pool>();

/** The one place that opens a Prisma connection; apps pass their parsed DATABASE_URL. */
export function createDb(connectionString: string = DEFAULT_DATABASE_URL): Db {
  const pool = new Pool({ connectionString });
  // An idle connection that a database restart drops reports here; the pool opens a new one on next
  // use, and writes retry (withDbRetry). Without a listener the event would end the process.
  pool.on('error', () => {});
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  pools.set(db, pool);
  return db;
}

/**
 * The connection pool under a client, for the few writes of large binary values: through Prisma
 * every byte also passes its WebAssembly query engine, whose memory grows to the largest value
 * and never shrinks (10 uploads of 20 MB: 300 MB kept). Everything else goes through Prisma.
 */
export function poolOf(db: Db): Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this client was not made by createDb');
  return pool;
}
