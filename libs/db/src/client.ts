import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Db = InstanceType<typeof PrismaClient>;

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/moodlab';

/** The one place that opens a Prisma connection; apps pass their parsed DATABASE_URL. */
export function createDb(connectionString: string = DEFAULT_DATABASE_URL): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}
