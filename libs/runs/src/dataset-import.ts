import path from 'node:path';
import {
  classCounts,
  importClassFolders,
  importFer2013Csv,
  importZip,
  packDataset,
  type ImportResult,
} from '@moodlab/cnn/datasets';
import { deleteArtifact, getArtifact, registerDataset, type Db } from '@moodlab/db';
import type { ImportPayload } from '@moodlab/jobs';
import { EMOTIONS } from '@moodlab/shared';

/**
 * Imports a dataset described by an import job: decode, report, pack, register. Shared by the
 * worker's import queue and the CLI, so both produce the same dataset from the same files.
 */
export async function importDataset(db: Db, job: ImportPayload, onProgress: (done: number, total: number) => void) {
  try {
    return await importFrom(db, job, onProgress);
  } finally {
    // An upload is used once, imported or refused; a worker that dies keeps it for the job's next attempt.
    if (job.source.kind === 'zip') await deleteArtifact(db, job.source.artifactId);
  }
}

async function importFrom(db: Db, job: ImportPayload, onProgress: (done: number, total: number) => void) {
  const opts = { classNames: EMOTIONS, size: job.imageSize, onProblem: job.onProblem, onProgress };
  let result: ImportResult;
  let source: string;
  if (job.source.kind === 'zip') {
    const upload = await getArtifact(db, job.source.artifactId);
    if (!upload)
      throw new Error(`the uploaded archive ${job.source.fileName} is gone (artifact ${job.source.artifactId})`);
    result = await importZip(new Uint8Array(upload.data), opts);
    source = `zip:${job.source.fileName}`;
  } else if (job.source.kind === 'csv') {
    result = await importFer2013Csv(job.source.path, { ...opts, onProgress: (rows) => onProgress(rows, 0) });
    source = `csv:${path.resolve(job.source.path)}`;
  } else {
    result = await importClassFolders(job.source.path, opts);
    source = `folder:${path.resolve(job.source.path)}`;
  }
  const { splits, report } = result;
  if (!splits.train?.labels.length) throw new Error('the import found no training images (expected a train/ split)');
  const packed = packDataset(job.imageSize, EMOTIONS, splits);
  const dataset = await registerDataset(db, {
    name: job.name,
    source,
    classNames: [...EMOTIONS],
    imageSize: job.imageSize,
    digest: packed.digest,
    counts: Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, classCounts(v, EMOTIONS)])),
    report: JSON.parse(JSON.stringify(report)),
    pack: { meta: packed.meta, data: packed.data },
  });
  return { datasetId: dataset.id, kept: report.kept, files: report.files };
}
