import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Db = InstanceType<typeof PrismaClient>;

import { DEFAULT_DATABASE_URL } from './urls';

/** The one place that opens a Prisma connection; apps pass their parsed DATABASE_URL. */
export function createDb(connectionString: string = DEFAULT_DATABASE_URL): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}
