import { notFound } from 'next/navigation';
import { getRun, listDatasets } from '@moodlab/db';
import { runLogs } from '@moodlab/runs';
import { RunLive } from '@/components/run-live';
import { runViewSchema } from '@/api-schemas';
import { uuidParam } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const id = uuidParam.safeParse((await params).id);
  if (!id.success) notFound();
  const run = await getRun(services().db, id.data);
  if (!run) notFound();
  const [logs, datasets] = await Promise.all([
    runLogs(services(), run.id).catch(() => []),
    listDatasets(services().db),
  ]);
  return (
    <RunLive
      initial={runViewSchema.parse(JSON.parse(JSON.stringify({ ...run, logs })))}
      datasets={datasets
        .filter((d) => d.packId)
        .map((d) => ({ id: d.id, name: d.name, splits: Object.keys(d.counts) }))}
    />
  );
}
