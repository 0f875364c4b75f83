/**
 * A training set as the live pipeline sees faces: each image of a labelled folder (FER2013's
 * layout, <split>/<emotion>/*.jpg) pasted at a random size (96-320 px) and place into a gray
 * 640x480 frame, found by the tiny detector as the server finds it ('auto' input size, the
 * detector's framing), and cropped to 48x48 by the crop the server and browser share. Writes PNGs
 * in the same layout under --out; a face the detector misses is left out (the pipeline never
 * classifies it) and counted. Seeded: the same sizes and places every run.
 *   npx tsx tools/demo/detector-crops.ts --source ../shared/datasets/fer2013 --out /tmp/fer-detector-crops [--split train] [--shard 0/2]
 * --shard K/N takes every N-th image from the K-th, so that N processes can share the work.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@moodlab/cnn/backend';
import { createRng } from '@moodlab/cnn/datasets';
import { bestMatch, detectFaces, faceCrops } from '@moodlab/faces';
import { loadNodeFaceApi } from '@moodlab/faces/node';
import { EMOTIONS } from '@moodlab/shared';
import { progressBar } from '../cli/progress';
import { grayFrameWith } from './test-frames';

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    out: { type: 'string' },
    split: { type: 'string', default: 'train' },
    shard: { type: 'string', default: '0/1' },
    seed: { type: 'string', default: 'detector-crops' },
  },
});
if (!values.source || !values.out) throw new Error('usage: --source DIR --out DIR [--split train] [--shard K/N]');
const [shard, shards] = values.shard!.split('/').map(Number) as [number, number];
if (!(shards >= 1 && shard >= 0 && shard < shards))
  throw new Error(`--shard ${values.shard}: expected K/N with 0 <= K < N`);

await selectBackend({ prefer: 'wasm', threads: 1 });
const api = await loadNodeFaceApi(['tiny']);
const splitDir = path.join(values.source, values.split!);
const files = EMOTIONS.flatMap((label) =>
  readdirSync(path.join(splitDir, label))
    .sort()
    .map((name) => ({ label, name })),
).filter((_, i) => i % shards === shard);

const rng = createRng(`${values.seed}:${shard}/${shards}`);
const bar = progressBar(`detector crops, shard ${shard}/${shards}`);
let missed = 0;
for (const [i, { label, name }] of files.entries()) {
  const size = 96 + Math.floor(rng.next() * 225);
  const truth = {
    x: Math.floor(rng.next() * (640 - size)),
    y: Math.floor(rng.next() * (480 - size)),
    width: size,
    height: size,
  };
  const face = await sharp(path.join(splitDir, label, name))
    .resize(size, size, { kernel: 'cubic' })
    .grayscale()
    .toBuffer();
  const rgb = await grayFrameWith([{ input: face, left: truth.x, top: truth.y }]);
  const frame = tf.tensor3d(new Uint8Array(rgb), [480, 640, 3], 'int32');
  try {
    const best = bestMatch(await detectFaces(api, frame, { kind: 'tiny', inputSize: 'auto' }), truth);
    if (!best) {
      missed++;
    } else {
      const crop = tf.tidy(() => faceCrops(frame, [best.box], 48).squeeze([0]).round().clipByValue(0, 255));
      const pixels = Uint8Array.from(crop.dataSync());
      crop.dispose();
      mkdirSync(path.join(values.out, values.split!, label), { recursive: true });
      writeFileSync(
        path.join(values.out, values.split!, label, `${path.parse(name).name}-det.png`),
        await sharp(pixels, { raw: { width: 48, height: 48, channels: 1 } })
          .png()
          .toBuffer(),
      );
    }
  } finally {
    frame.dispose();
  }
  bar.update(i + 1, files.length, `${missed} missed`);
}
bar.stop();
console.log(
  `${files.length - missed} of ${files.length} faces detected and cropped into ${values.out}; ${missed} missed`,
);
process.exit(0);
