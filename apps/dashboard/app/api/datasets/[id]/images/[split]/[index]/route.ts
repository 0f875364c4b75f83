import { jsonRoute, uuidParam } from '@/server/http';
import { datasetImagePng } from '@/server/dataset-images';

export const GET = jsonRoute(
  async (_req: Request, { params }: { params: Promise<{ id: string; split: string; index: string }> }) => {
    const p = await params;
    const png = await datasetImagePng(uuidParam.parse(p.id), p.split, Number(p.index));
    return new Response(new Uint8Array(png), {
      headers: { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=86400' },
    });
  },
);
