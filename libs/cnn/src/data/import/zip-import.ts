import { unzipSync } from 'fflate';
import { classifyPath, importSources, type ImageSource, type ImportOptions, type ImportResult } from './folder-import';
import { ImportCollector } from './report';

/**
 * Imports a zip of the class-folder layout, as users upload it: the split folders may sit at the
 * top or under one enclosing folder. Archive metadata (__MACOSX, dot files) is ignored.
 */
export async function importZip(zip: Uint8Array, opts: ImportOptions): Promise<ImportResult> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (err) {
    throw new Error(`not a readable zip archive: ${(err as Error).message}`);
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
    if (where === 'unknown-class') { unknown.add(`${splitName}/${className}`); continue; }
    sources.push({ ...where, file: name, read: () => Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
  }
  for (const u of unknown) collector.unknownClass(u);
  return importSources(sources.sort((a, b) => (a.file < b.file ? -1 : 1)), collector, opts, 'the zip archive');
}
