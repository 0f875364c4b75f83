import { NextResponse } from 'next/server';
import { layersModelJson, modelArtifactMetaSchema } from '@moodlab/cnn/inference';
import { getModelVersion } from '@moodlab/db';
import { NotFoundError } from '@moodlab/runs';
import { jsonRoute, uuidParam } from '@/server/http';
import { services } from '@/server/services';

/** TF.js layers model.json; weights at ./weights.bin. Versions never change, so caches may keep them. */
export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const mv = await getModelVersion(services().db, id);
  if (!mv) throw new NotFoundError(`Unknown model version id ${id}`);
  return NextResponse.json(layersModelJson(modelArtifactMetaSchema.parse(mv.artifact.meta), 'weights.bin'), {
    headers: { 'Cache-Control': 'public, max-age=31536000, immutable' },
  });
});
