import type { Db } from '../client';
import type { Prisma } from '../generated/client';
import { saveArtifact } from './artifacts';
import { parseImportReport, parseSplitCounts } from '../json-columns';
import type { ImportReport } from '@moodlab/shared';

export interface NewDataset {
  name: string;
  source: string;
  classNames: string[];
  counts: Record<string, Record<string, number>>;
  imageSize: number;
  digest: string;
  report?: Prisma.InputJsonValue;
  pack: { meta: Prisma.InputJsonValue; data: Uint8Array };
}

/** A dataset known by its summary only (e.g. what a shipped model was trained on). */
export type DatasetRecord = Omit<NewDataset, 'pack'>;

const summarySelect = {
  id: true,
  name: true,
  source: true,
  classNames: true,
  counts: true,
  imageSize: true,
  digest: true,
  report: true,
  packId: true,
  createdAt: true,
} as const;

/** The dataset of that name, if any; one of that name with other content is an error. */
async function findSameDataset(db: Db, ds: { name: string; digest: string }) {
  const existing = await db.dataset.findUnique({ where: { name: ds.name }, select: summarySelect });
  if (existing && existing.digest !== ds.digest) {
    throw new Error(
      `Dataset "${ds.name}" already exists with different content (digest ${existing.digest.slice(0, 12)}); choose another name.`,
    );
  }
  return existing;
}

/**
 * Registers a dataset, or returns the existing one when a dataset of that name already has the
 * same content digest; a different digest under the same name is an error, so a re-import never
 * silently replaces data that runs were trained on. A dataset registered without its images
 * (from a model card) gets them here when the digest matches.
 */
export async function registerDataset(db: Db, ds: NewDataset) {
  const existing = await findSameDataset(db, ds);
  if (existing) {
    if (existing.packId) return existing;
    const pack = await saveArtifact(db, { kind: 'dataset-pack', ...ds.pack });
    return db.dataset.update({
      where: { id: existing.id },
      data: { packId: pack.id, source: ds.source, report: ds.report ?? {} },
      select: summarySelect,
    });
  }
  const pack = await saveArtifact(db, { kind: 'dataset-pack', ...ds.pack });
  return db.dataset.create({ data: { ...datasetRow(ds), packId: pack.id }, select: summarySelect });
}

/** The columns a dataset record holds whether or not its images are here. */
function datasetRow(ds: DatasetRecord) {
  return {
    name: ds.name,
    source: ds.source,
    classNames: ds.classNames,
    counts: ds.counts,
    imageSize: ds.imageSize,
    digest: ds.digest,
    report: ds.report ?? {},
  };
}

/** The dataset of that name and digest, registered without images if it is not there yet. */
export async function ensureDatasetRecord(db: Db, ds: DatasetRecord) {
  const existing = await findSameDataset(db, ds);
  if (existing) return existing;
  return db.dataset.create({ data: datasetRow(ds), select: summarySelect });
}

export async function listDatasets(db: Db) {
  const rows = await db.dataset.findMany({ select: summarySelect, orderBy: { createdAt: 'asc' } });
  return rows.map(withCounts);
}

export async function getDataset(db: Db, id: string) {
  const row = await db.dataset.findUnique({ where: { id }, select: summarySelect });
  return row && withCounts(row);
}

export async function getDatasetByName(db: Db, name: string) {
  const row = await db.dataset.findUnique({ where: { name }, select: summarySelect });
  return row && withCounts(row);
}

function withCounts<R extends { counts: unknown; report: unknown }>(
  row: R,
): Omit<R, 'counts' | 'report'> & { counts: Record<string, Record<string, number>>; report: ImportReport | null } {
  return { ...row, counts: parseSplitCounts(row.counts), report: parseImportReport(row.report) };
}
