/** How often face-api finds the face in our test frames: npx tsx tools/demo/detection-rate.ts [n=28] */
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@moodlab/cnn/backend';
import { detectFaces } from '@moodlab/faces';
import { loadNodeFaceApi } from '@moodlab/faces/node';
import { composeFrame, sampleFaces } from './test-frames';

await selectBackend({ prefer: 'wasm' });
const api = await loadNodeFaceApi(['tiny', 'ssd']);
const n = Number(process.argv[2] ?? 28);
const { source, faces } = await sampleFaces(n);
const rows = [];
for (const pad of [0.25, 0.5]) {
  const found = { tiny: 0, ssd: 0 };
  for (const face of faces) {
    const gray = await composeFrame([face], 192, pad);
    const rgb = await sharp(gray, { raw: { width: 640, height: 480, channels: 1 } })
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    const t = tf.tensor3d(new Uint8Array(rgb), [480, 640, 3], 'int32');
    for (const kind of ['tiny', 'ssd'] as const) if ((await detectFaces(api, t, { kind })).length) found[kind]++;
    t.dispose();
  }
  rows.push({
    source,
    'face px': 192,
    'margin (of face)': pad,
    faces: n,
    'tiny detected': `${((found.tiny / n) * 100).toFixed(0)}%`,
    'ssd detected': `${((found.ssd / n) * 100).toFixed(0)}%`,
  });
}
console.table(rows);
