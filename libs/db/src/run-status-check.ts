import type { RunStatus } from '@moodlab/shared';
import type { RunStatus as SchemaRunStatus } from './generated/enums';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * The statuses are declared twice on purpose: in prisma/schema.prisma (the database enum) and in
 * `@moodlab/shared` (browser-safe, without Prisma). This line stops the type check when they differ.
 */
export const RUN_STATUSES_MATCH_SCHEMA: Same<SchemaRunStatus, RunStatus> = true;
