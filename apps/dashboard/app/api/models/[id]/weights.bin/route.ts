import { getModelVersion } from '@moodlab/db';
import { NotFoundError } from '@moodlab/runs';
import { jsonRoute, uuidParam } from '@/server/http';
import { services } from '@/server/services';

export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const mv = await getModelVersion(services().db, id);
  if (!mv) throw new NotFoundError(`Unknown model version id ${id}`);
  return new Response(new Uint8Array(mv.artifact.data), {
    headers: { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'public, max-age=31536000, immutable' },
  });
});
