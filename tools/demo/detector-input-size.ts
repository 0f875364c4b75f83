/**
 * The tiny detector's cost and hit rate by input size, on our 640x480 test frames (one 192 px
 * face each): npx tsx tools/demo/detector-input-size.ts [n=40]. Prints a table; not a test.
 */
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@moodlab/cnn/backend';
import { detectFaces } from '@moodlab/faces';
import { loadNodeFaceApi } from '@moodlab/faces/node';
import { composeFrame, sampleFaces } from './test-frames';

await selectBackend({ prefer: 'wasm' });
const api = await loadNodeFaceApi(['tiny']);
const n = Number(process.argv[2] ?? 40);
const { source, faces } = await sampleFaces(n);
const frames = await Promise.all(
  faces.map(async (face) => {
    const gray = await composeFrame([face]);
    const rgb = await sharp(gray, { raw: { width: 640, height: 480, channels: 1 } })
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    return tf.tensor3d(new Uint8Array(rgb), [480, 640, 3], 'int32');
  }),
);
const rows = [];
for (const inputSize of [416, 320, 256, 224, 160]) {
  await detectFaces(api, frames[0]!, { kind: 'tiny', inputSize });
  let found = 0;
  const t = performance.now();
  for (const frame of frames) if ((await detectFaces(api, frame, { kind: 'tiny', inputSize })).length) found++;
  rows.push({
    source,
    'input size': inputSize,
    frames: n,
    'ms per frame': ((performance.now() - t) / n).toFixed(1),
    detected: `${((found / n) * 100).toFixed(0)}%`,
  });
}
console.table(rows);
