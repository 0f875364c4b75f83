import type { Db } from '../client';

export interface Heartbeat {
  id: string;
  hostname: string;
  backend: string;
  concurrency: number;
  currentRunIds: string[];
}

export async function beat(db: Db, hb: Heartbeat) {
  const now = new Date();
  await db.workerHeartbeat.upsert({
    where: { id: hb.id },
    create: { ...hb, lastSeenAt: now },
    update: { backend: hb.backend, currentRunIds: hb.currentRunIds, concurrency: hb.concurrency, lastSeenAt: now },
  });
}

export async function listWorkers(db: Db) {
  return db.workerHeartbeat.findMany({ orderBy: { lastSeenAt: 'desc' }, take: 50 });
}

export async function removeWorker(db: Db, id: string) {
  await db.workerHeartbeat.deleteMany({ where: { id } });
}

/** Workers whose last heartbeat is more recent than `staleAfterMs`, with the runs they hold. */
export async function liveWorkers(db: Db, staleAfterMs: number): Promise<Map<string, string[]>> {
  const rows = await db.workerHeartbeat.findMany({
    where: { lastSeenAt: { gt: new Date(Date.now() - staleAfterMs) } },
    select: { id: true, currentRunIds: true },
  });
  return new Map(rows.map((r) => [r.id, r.currentRunIds]));
}

/** When a worker last reported, or null if it never did or has left. */
export async function workerLastSeen(db: Db, id: string): Promise<Date | null> {
  const row = await db.workerHeartbeat.findUnique({ where: { id }, select: { lastSeenAt: true } });
  return row?.lastSeenAt ?? null;
}
