import { WASM_DIST_DIR } from '@moodlab/cnn/backend';
import { jsonRoute } from '@/server/http';
import { servePackageFile } from '@/server/static-files';

/** The TF.js WASM binaries for the browser demo's fallback backend. */
export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ file: string }> }) =>
  servePackageFile(WASM_DIST_DIR, (await params).file, /^tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm$/),
);
