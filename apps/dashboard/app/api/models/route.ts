import { NextResponse } from 'next/server';
import { listModelVersions, servingPromotion } from '@moodlab/db';
import { jsonRoute } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => {
  const [versions, serving] = await Promise.all([listModelVersions(services().db), servingPromotion(services().db)]);
  return NextResponse.json(
    versions.map((v) => ({
      id: v.id,
      version: v.version,
      architecture: v.architecture,
      summary: v.summary,
      createdAt: v.createdAt,
      dataset: v.run.dataset.name,
      promoted: v.id === serving?.modelVersionId,
    })),
  );
});
