import { errorMessage } from '@moodlab/shared';
import { unzipSync } from 'fflate';
import { classifyPath, importSources, type ImageSource, type ImportOptions, type ImportResult } from './folder-import';
import { ImportCollector } from './report';

/**
 * What an uploaded archive may inflate to. Faces are JPEG or PNG, which do not compress further,
 * so a real dataset inflates to about its zip's size; a zip bomb inflates a thousandfold.
 */
export const ZIP_LIMITS = { maxEntries: 500_000, maxEntryBytes: 16 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 };

/**
 * Imports a zip of the class-folder layout, as users upload it: the split folders may sit at the
 * top or under one enclosing folder. Archive metadata (__MACOSX, dot files) is ignored.
 */
export async function importZip(zip: Uint8Array, opts: ImportOptions, limits = ZIP_LIMITS): Promise<ImportResult> {
  let entries: Record<string, Uint8Array>;
  let count = 0,
    total = 0;
  const tooBig = (what: string) =>
    new Error(
      `the archive is refused: ${what} (limits: ${limits.maxEntries} entries, ${limits.maxEntryBytes / 2 ** 20} MiB a file, ${limits.maxTotalBytes / 2 ** 20} MiB in all)`,
    );
  try {
    // The sizes are checked from the archive's directory before anything is inflated; fflate
    // inflates each entry into a buffer of its declared size, so a lying header cannot exceed it.
    entries = unzipSync(zip, {
      filter: (file) => {
        if (++count > limits.maxEntries) throw tooBig(`more than ${limits.maxEntries} entries`);
        if (file.originalSize > limits.maxEntryBytes)
          throw tooBig(`${file.name} inflates to ${(file.originalSize / 2 ** 20).toFixed(0)} MiB`);
        total += file.originalSize;
        if (total > limits.maxTotalBytes)
          throw tooBig(`it inflates to more than ${limits.maxTotalBytes / 2 ** 20} MiB`);
        return true;
      },
    });
  } catch (err) {
    if (errorMessage(err).startsWith('the archive is refused')) throw err;
    throw new Error(`not a readable zip archive: ${errorMessage(err)}`);
  }
  const collector = new ImportCollector(opts.size ?? 48, opts.onProblem ?? 'skip');
  const sources: ImageSource[] = [];
  const unknown = new Set<string>();
  for (const [name, data] of Object.entries(entries)) {
    const parts = name.split('/').filter(Boolean);
    if (name.endsWith('/') || parts.some((p) => p.startsWith('.') || p === '__MACOSX') || parts.length < 3) continue;
    const [splitName, className] = parts.slice(-3, -1) as [string, string];
    const where = classifyPath(splitName, className, opts.classNames);
    if (where === null) continue;
    if (where === 'unknown-class') {
      unknown.add(`${splitName}/${className}`);
      continue;
    }
    sources.push({ ...where, file: name, read: () => Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
  }
  for (const u of unknown) collector.unknownClass(u);
  return importSources(
    sources.sort((a, b) => (a.file < b.file ? -1 : 1)),
    collector,
    opts,
    'the zip archive',
  );
}
