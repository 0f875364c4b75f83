import { errorMessage } from '@moodlab/shared';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeGray } from './decode';
import { ImportCollector, type ImportReport, type ProblemPolicy } from './report';
import type { LabeledImages } from '../labeled-images';

/** Split folder names users have, mapped to ours. */
const SPLIT_NAMES: Record<string, string> = {
  train: 'train',
  training: 'train',
  validation: 'validation',
  val: 'validation',
  valid: 'validation',
  test: 'test',
};

export interface ImportOptions {
  classNames: readonly string[];
  size?: number;
  onProblem?: ProblemPolicy;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportResult {
  splits: Record<string, LabeledImages>;
  report: ImportReport;
}

/** One image to import, from a folder or an archive. */
export interface ImageSource {
  split: string;
  file: string;
  label: number;
  read(): string | Buffer;
}

/** Maps "<split>/<class>" names to ours; unknown splits are not images to import (null). */
export function classifyPath(
  splitName: string,
  className: string,
  classNames: readonly string[],
): { split: string; label: number } | null | 'unknown-class' {
  const split = SPLIT_NAMES[splitName.toLowerCase()];
  if (!split) return null;
  const label = classNames.indexOf(className.toLowerCase());
  return label < 0 ? 'unknown-class' : { split, label };
}

/** Decodes every source (several at a time) into the collector, then applies the import policy. */
export async function importSources(
  sources: ImageSource[],
  collector: ImportCollector,
  opts: ImportOptions,
  where: string,
): Promise<ImportResult> {
  if (!sources.length)
    throw new Error(`no images found in ${where} (expected <split>/<class>/<image>, e.g. train/happy/1.jpg)`);
  const size = collector.size;
  let next = 0,
    done = 0;
  const worker = async () => {
    while (next < sources.length) {
      const t = sources[next++]!;
      try {
        collector.add(t.split, t.file, t.label, await decodeGray(t.read(), size));
      } catch (err) {
        if (errorMessage(err).includes('on-problem=skip')) throw err;
        collector.undecodableFile(t.file, errorMessage(err).split('\n')[0]!);
      }
      opts.onProgress?.(++done, sources.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return collector.finish();
}

/** Imports the Kaggle layout: <root>/<split>/<class>/<image>. */
export async function importClassFolders(root: string, opts: ImportOptions): Promise<ImportResult> {
  const collector = new ImportCollector(opts.size ?? 48, opts.onProblem ?? 'skip');
  const sources: ImageSource[] = [];
  for (const dir of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const cls of (await readdir(path.join(root, dir.name), { withFileTypes: true })).filter((d) =>
      d.isDirectory(),
    )) {
      const where = classifyPath(dir.name, cls.name, opts.classNames);
      if (where === null) break;
      if (where === 'unknown-class') {
        collector.unknownClass(`${dir.name}/${cls.name}`);
        continue;
      }
      for (const f of await readdir(path.join(root, dir.name, cls.name))) {
        const file = path.join(dir.name, cls.name, f);
        sources.push({ ...where, file, read: () => path.join(root, file) });
      }
    }
  }
  return importSources(sources, collector, opts, root);
}
