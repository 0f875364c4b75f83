import { FACE_MODELS_DIR } from '@moodlab/faces/node';
import { jsonRoute } from '@/server/http';
import { servePackageFile } from '@/server/static-files';

/** face-api's detector models, from its npm package (nothing is fetched from the internet). */
export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ file: string }> }) =>
  servePackageFile(
    FACE_MODELS_DIR,
    (await params).file,
    /^(tiny_face_detector|ssd_mobilenetv1)_model[-.\w]*\.(json|bin)$/,
  ),
);
