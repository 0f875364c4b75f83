import { notFound } from 'next/navigation';
import { getRun } from '@moodlab/db';
import { RunLive } from '@/components/run-live';
import { uuidParam } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const id = uuidParam.safeParse((await params).id);
  if (!id.success) notFound();
  const run = await getRun(services().db, id.data);
  if (!run) notFound();
  return <RunLive initial={JSON.parse(JSON.stringify(run))} />;
}
