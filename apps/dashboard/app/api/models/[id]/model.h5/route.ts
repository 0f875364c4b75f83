import { kerasFileOf } from '@moodlab/runs/keras';
import { jsonRoute, uuidParam } from '@/server/http';
import { ensureBackend } from '@/server/serving';
import { services } from '@/server/services';

export const runtime = 'nodejs';

/** The model version as a Keras HDF5 file (Keras 2's layout; docs/keras.md says how Keras loads it). */
export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  await ensureBackend();
  const { fileName, bytes } = await kerasFileOf(services().db, { id });
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': 'application/x-hdf5',
      'Content-Disposition': `attachment; filename="${fileName}"`,
    },
  });
});
