import { NextResponse } from 'next/server';
import { z } from 'zod';
import { storableText } from '@moodlab/shared';
import { getModelVersion, promoteModelVersion } from '@moodlab/db';
import { NotFoundError } from '@moodlab/runs';
import { adminRoute, readJson, uuidParam } from '@/server/http';
import { services } from '@/server/services';

const bodySchema = z.object({ note: storableText().max(500).default('') }).strict();

export const POST = adminRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const { note } = bodySchema.parse(await readJson(req));
  if (!(await getModelVersion(services().db, id))) throw new NotFoundError(`Unknown model version id ${id}`);
  return NextResponse.json(await promoteModelVersion(services().db, id, note), { status: 201 });
});
