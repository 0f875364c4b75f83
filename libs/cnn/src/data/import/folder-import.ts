import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeGray } from './decode';
import { ImportCollector, type ImportReport, type ProblemPolicy } from './report';
import type { LabeledImages } from '../labeled-images';

/** Split folder names users have, mapped to ours. */
const SPLIT_NAMES: Record<string, string> = { train: 'train', training: 'train', validation: 'validation', val: 'validation', valid: 'validation', test: 'test' };

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

/** Imports the Kaggle layout: <root>/<split>/<class>/<image>. */
export async function importClassFolders(root: string, opts: ImportOptions): Promise<ImportResult> {
  const size = opts.size ?? 48;
  const collector = new ImportCollector(size, opts.onProblem ?? 'skip');
  const tasks: { split: string; file: string; label: number }[] = [];
  for (const dir of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    const split = SPLIT_NAMES[dir.name.toLowerCase()];
    if (!split) continue;
    for (const cls of (await readdir(path.join(root, dir.name), { withFileTypes: true })).filter((d) => d.isDirectory())) {
      const label = opts.classNames.indexOf(cls.name.toLowerCase());
      if (label < 0) { collector.unknownClass(`${dir.name}/${cls.name}`); continue; }
      for (const f of await readdir(path.join(root, dir.name, cls.name))) {
        tasks.push({ split, file: path.join(dir.name, cls.name, f), label });
      }
    }
  }
  if (!tasks.length) throw new Error(`no images found under ${root} (expected ${root}/train/<class>/*.jpg)`);
  let next = 0, done = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++]!;
      try {
        collector.add(t.split, t.file, t.label, await decodeGray(path.join(root, t.file), size));
      } catch (err) {
        if ((err as Error).message.includes('on-problem=skip')) throw err;
        collector.undecodableFile(t.file, (err as Error).message.split('\n')[0]!);
      }
      opts.onProgress?.(++done, tasks.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return collector.finish();
}
