import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@moodlab/cnn/backend';
import { detectFaces } from '@moodlab/faces';
import { loadNodeFaceApi } from '@moodlab/faces/node';
import { composeFrame, sampleFaces, type FaceImage } from './test-frames';

/**
 * Faces that face-api's tiny detector finds when framed alone (it misses ~14% of FER2013's
 * tight crops), so that browser tests fail only for real reasons.
 */
export async function detectableFaces(
  count: number,
): Promise<{ source: 'fer2013' | 'synthetic'; faces: FaceImage[]; tried: number }> {
  await selectBackend({ prefer: 'wasm' });
  const api = await loadNodeFaceApi(['tiny']);
  const { source, faces } = await sampleFaces(count * 4);
  const kept: FaceImage[] = [];
  let tried = 0;
  for (const face of faces) {
    if (kept.length === count) break;
    tried++;
    const gray = await composeFrame([face]);
    const rgb = await sharp(gray, { raw: { width: 640, height: 480, channels: 1 } })
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    const t = tf.tensor3d(new Uint8Array(rgb), [480, 640, 3], 'int32');
    if ((await detectFaces(api, t, { kind: 'tiny' })).length === 1) kept.push(face);
    t.dispose();
  }
  return { source, faces: kept, tried };
}

/** A frame as PNG (what tests upload and show to the browser). */
export async function framePng(faces: FaceImage[]): Promise<Buffer> {
  return sharp(await composeFrame(faces), { raw: { width: 640, height: 480, channels: 1 } })
    .png()
    .toBuffer();
}
