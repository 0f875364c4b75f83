import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ForbiddenError } from './errors';

/**
 * The folders under which a request may name a server-side path to import (MOODLAB_IMPORT_ROOTS,
 * separated like PATH). None by default: over HTTP, datasets arrive as uploads.
 */
export const importRootsSchema = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(path.delimiter)
      .filter(Boolean)
      .map((p) => path.resolve(p)),
  );

const inside = (child: string, root: string) =>
  child === root || child.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The real path of `requested` if it lies under one of `roots` after symlinks are followed; else
 * a ForbiddenError that says no more about the file system than the request already did.
 */
export async function confineImportPath(requested: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0)
    throw new ForbiddenError(
      'server-side imports are off on this server: upload a zip instead (an operator can allow folders with MOODLAB_IMPORT_ROOTS)',
    );
  const outside = new ForbiddenError(
    `"${requested}" is outside the import folders this server allows (MOODLAB_IMPORT_ROOTS)`,
  );
  const resolved = path.resolve(roots[0]!, requested);
  // Checked before the file system is touched, so that an answer never tells whether a path outside exists.
  if (!roots.some((r) => inside(resolved, r))) throw outside;
  const real = await realpath(resolved).catch(() => resolved);
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => r)));
  if (!realRoots.some((r) => inside(real, r))) throw outside;
  return real;
}
