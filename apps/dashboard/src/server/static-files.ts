import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from './http';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

/** Serves one file from a package folder, by a plain file name only (no paths). */
export async function servePackageFile(dir: string, file: string, allowed: RegExp): Promise<Response> {
  if (!allowed.test(file) || file.includes('/') || file.includes('..'))
    throw new HttpError(404, `no such file ${file}`);
  const data = await readFile(path.join(dir, file)).catch(() => {
    throw new HttpError(404, `no such file ${file}`);
  });
  return new Response(new Uint8Array(data), {
    headers: {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'public, max-age=86400',
    },
  });
}
