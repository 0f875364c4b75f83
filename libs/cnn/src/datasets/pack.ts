import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LabeledImages } from './labeled-images';

/**
 * The storage format of an imported dataset: one byte buffer holding every split's uint8 images
 * then labels, and a small JSON description of where each split lives. The digest covers the
 * class order, image size and every byte, so equal digests mean identical training data.
 */
export const packMetaSchema = z.object({
  format: z.literal('moodlab-pack-v1'),
  imageSize: z.number().int().positive(),
  classNames: z.array(z.string()).min(2),
  splits: z.record(
    z.string(),
    z.object({
      count: z.number().int().min(0),
      imagesOffset: z.number().int().min(0),
      labelsOffset: z.number().int().min(0),
    }),
  ),
});
export type PackMeta = z.infer<typeof packMetaSchema>;

export interface PackedDataset {
  meta: PackMeta;
  data: Uint8Array;
  digest: string;
}

export function packDataset(
  imageSize: number,
  classNames: readonly string[],
  splits: Record<string, LabeledImages>,
): PackedDataset {
  const names = Object.keys(splits).sort();
  const total = names.reduce((acc, n) => acc + splits[n]!.images.length + splits[n]!.labels.length, 0);
  const data = new Uint8Array(total);
  const meta: PackMeta = { format: 'moodlab-pack-v1', imageSize, classNames: [...classNames], splits: {} };
  let offset = 0;
  for (const name of names) {
    const s = splits[name]!;
    if (s.size !== imageSize) throw new Error(`split ${name} has ${s.size}px images, expected ${imageSize}px`);
    if (s.images.length !== s.labels.length * imageSize * imageSize)
      throw new Error(`split ${name}: image bytes do not match its ${s.labels.length} labels`);
    data.set(s.images, offset);
    data.set(s.labels, offset + s.images.length);
    meta.splits[name] = { count: s.labels.length, imagesOffset: offset, labelsOffset: offset + s.images.length };
    offset += s.images.length + s.labels.length;
  }
  const hash = createHash('sha256').update(JSON.stringify({ imageSize, classNames })).update(data);
  return { meta, data, digest: hash.digest('hex') };
}

/** Views into the packed buffer (no copies). */
export function unpackSplit(meta: PackMeta, data: Uint8Array, split: string): LabeledImages {
  const s = meta.splits[split];
  if (!s) throw new Error(`dataset has no "${split}" split (it has: ${Object.keys(meta.splits).join(', ')})`);
  const px = meta.imageSize * meta.imageSize;
  return {
    size: meta.imageSize,
    images: data.subarray(s.imagesOffset, s.imagesOffset + s.count * px),
    labels: data.subarray(s.labelsOffset, s.labelsOffset + s.count),
  };
}
