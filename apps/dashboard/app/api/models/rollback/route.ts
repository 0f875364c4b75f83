import { NextResponse } from 'next/server';
import { z } from 'zod';
import { errorMessage, storableText } from '@moodlab/shared';
import { rollbackPromotion } from '@moodlab/db';
import { adminRoute, HttpError, readJson } from '@/server/http';
import { services } from '@/server/services';

const bodySchema = z.object({ note: storableText().max(500).default('') }).strict();

export const POST = adminRoute(async (req: Request) => {
  const { note } = bodySchema.parse(await readJson(req));
  try {
    return NextResponse.json(await rollbackPromotion(services().db, note), { status: 201 });
  } catch (err) {
    throw new HttpError(409, errorMessage(err));
  }
});
