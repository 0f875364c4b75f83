import { NextResponse } from 'next/server';
import { errorResponse, uuidParam } from '@/server/http';
import { cancelRun } from '@/server/runs-service';

export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    return NextResponse.json(await cancelRun(uuidParam.parse((await params).id)));
  } catch (err) {
    return errorResponse(err);
  }
}
