import { NextResponse } from 'next/server';
import { listModelVersions, servingPromotion } from '@moodlab/db';
import type { ModelListItem } from '@/api-schemas';
import { jsonRoute } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => {
  const [versions, serving] = await Promise.all([listModelVersions(services().db), servingPromotion(services().db)]);
  const list: ModelListItem[] = versions.map((v) => ({
    id: v.id,
    version: v.version,
    architecture: v.architecture,
    createdAt: v.createdAt,
    dataset: v.run.dataset.name,
    promoted: v.id === serving?.modelVersionId,
  }));
  return NextResponse.json(list);
});
