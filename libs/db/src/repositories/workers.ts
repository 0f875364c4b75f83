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
