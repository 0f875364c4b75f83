/**
 * Before the servers start: a fresh e2e database and Redis db with the built-in dataset and a
 * promoted default model, and the demo's test media (fake-camera video, fixed frames).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { generateSyntheticFaces } from '@moodlab/cnn/datasets';
import { keras2H5, randomizeBatchNorm } from '@moodlab/cnn/keras/test-files';
import { EMOTIONS } from '@moodlab/shared';
import { createDb } from '@moodlab/db';
import { resetServices } from '../tests/reset-services';
import { registerSyntheticDataset } from '../tools/seed/builtin-dataset';
import { registerDefaultModel } from '../tools/seed/default-model';
import { detectableFaces, framePng } from '../tools/demo/detectable-faces';
import { composeFrame } from '../tools/demo/test-frames';
import { writeY4m } from '../tools/demo/write-y4m';
import { ASSETS_DIR, CAMERA_VIDEO, KERAS_H5, MANIFEST, UPLOAD_ZIP, type AssetManifest } from './assets';
import { databaseUrlFor } from '@moodlab/db/urls';

const url = process.env.DATABASE_URL ?? databaseUrlFor('moodlab_e2e');
await resetServices(url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/2');
const db = createDb(url);
const dataset = await registerSyntheticDataset(db, { trainPerClass: 60, validationPerClass: 15 });
await registerDefaultModel(db, dataset, () => {});
await db.$disconnect();

await mkdir(ASSETS_DIR, { recursive: true });
const { source, faces } = await detectableFaces(3);
const frames: string[] = [];
for (const [i, face] of faces.entries()) {
  const file = `frame-${i}.png`;
  await writeFile(path.join(ASSETS_DIR, file), await framePng([face]));
  frames.push(file);
}
if (faces[0]) {
  const frame = await composeFrame([faces[0]]);
  await writeY4m(
    CAMERA_VIDEO,
    Array.from({ length: 30 }, () => frame),
  );
}
await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } })
  .png()
  .toFile(path.join(ASSETS_DIR, 'no-face.png'));
// A small dataset to upload: 5 train and 2 validation faces per class, and one corrupt file.
const files: Record<string, Uint8Array> = {
  'mini/train/neutral/corrupt.jpg': new TextEncoder().encode('not an image'),
};
for (const [split, perClass, seed] of [
  ['train', 5, 21],
  ['validation', 2, 22],
] as const) {
  const faces = generateSyntheticFaces({ perClass, seed });
  for (let i = 0; i < faces.labels.length; i++) {
    const png = await sharp(Buffer.from(faces.images.subarray(i * 2304, (i + 1) * 2304)), {
      raw: { width: 48, height: 48, channels: 1 },
    })
      .png()
      .toBuffer();
    files[`mini/${split}/${EMOTIONS[faces.labels[i]!]}/${i}.png`] = new Uint8Array(png);
  }
}
await writeFile(UPLOAD_ZIP, zipSync(files));

const keras = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [48, 48, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 7, activation: 'softmax' }),
  ],
});
randomizeBatchNorm(keras);
await writeFile(KERAS_H5, await keras2H5(keras));

const manifest: AssetManifest = { source, frames, noFace: 'no-face.png' };
await writeFile(MANIFEST, JSON.stringify(manifest));
console.log(`e2e: ${frames.length} detectable ${source} frames`);
