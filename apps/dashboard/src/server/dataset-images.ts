import sharp from 'sharp';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { loadDatasetPack } from '@moodlab/runs';
import { HttpError } from './http';
import { services } from './services';

/** One image of a packed dataset as PNG (upscaled 2x so faces are visible in a grid). */
export async function datasetImagePng(datasetId: string, split: string, index: number): Promise<Buffer> {
  const pack = await loadDatasetPack(services().db, datasetId);
  const meta = packMetaSchema.parse(pack.meta);
  if (!meta.splits[split]) throw new HttpError(404, `dataset has no "${split}" split`);
  const images = unpackSplit(meta, pack.data, split);
  if (!Number.isInteger(index) || index < 0 || index >= images.labels.length)
    throw new HttpError(404, `no image ${index} in ${split}`);
  const px = images.size * images.size;
  return sharp(Buffer.from(images.images.subarray(index * px, (index + 1) * px)), {
    raw: { width: images.size, height: images.size, channels: 1 },
  })
    .resize(images.size * 2, images.size * 2, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

/** The first `perClass` image indices of each class in a split, for the sample grid. */
export async function sampleIndices(datasetId: string, split: string, perClass: number): Promise<number[][]> {
  const pack = await loadDatasetPack(services().db, datasetId);
  const meta = packMetaSchema.parse(pack.meta);
  if (!meta.splits[split]) return [];
  const { labels } = unpackSplit(meta, pack.data, split);
  const out = meta.classNames.map(() => [] as number[]);
  for (let i = 0; i < labels.length; i++) if (out[labels[i]!]!.length < perClass) out[labels[i]!]!.push(i);
  return out;
}
