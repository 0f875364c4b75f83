import { notFound } from 'next/navigation';
import { NotFoundError, sweepView } from '@moodlab/runs';
import { SweepLive } from '@/components/sweep/sweep-live';
import { uuidParam } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function SweepPage({ params }: { params: Promise<{ id: string }> }) {
  const id = uuidParam.safeParse((await params).id);
  if (!id.success) notFound();
  const view = await sweepView(services().db, id.data).catch((err: unknown) => {
    if (err instanceof NotFoundError) notFound();
    throw err;
  });
  return <SweepLive initial={view} />;
}
