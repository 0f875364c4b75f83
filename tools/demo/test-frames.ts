import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { EMOTIONS } from '@moodlab/shared';
import { generateSyntheticFaces } from '@moodlab/cnn/datasets';

/**
 * Camera-like test frames (grayscale, 640x480) with faces pasted in: FER2013 validation faces
 * when ../shared is present, else synthetic ones. FER crops are tight, so each face is upscaled
 * to 192 px and padded with a gray margin: detectors need some context around a face.
 */
export const FER_VALIDATION = path.resolve('../shared/datasets/fer2013/validation');

export interface FaceImage {
  label: string;
  png: Buffer;
}

export async function sampleFaces(count: number): Promise<{ source: 'fer2013' | 'synthetic'; faces: FaceImage[] }> {
  if (existsSync(FER_VALIDATION)) {
    const faces: FaceImage[] = [];
    for (let i = 0; faces.length < count; i++) {
      const label = EMOTIONS[i % EMOTIONS.length]!;
      const files = readdirSync(path.join(FER_VALIDATION, label)).sort();
      faces.push({
        label,
        png: await sharp(path.join(FER_VALIDATION, label, files[(Math.floor(i / EMOTIONS.length) * 7) % files.length]!))
          .png()
          .toBuffer(),
      });
    }
    return { source: 'fer2013', faces };
  }
  const d = generateSyntheticFaces({ perClass: Math.ceil(count / 7), seed: 11 });
  const faces = await Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      label: EMOTIONS[d.labels[i]!]!,
      png: await sharp(Buffer.from(d.images.subarray(i * 2304, (i + 1) * 2304)), {
        raw: { width: 48, height: 48, channels: 1 },
      })
        .png()
        .toBuffer(),
    })),
  );
  return { source: 'synthetic', faces };
}

/** One 640x480 grayscale frame with the faces laid out left to right (at most 4). */
export async function composeFrame(faces: FaceImage[], faceSize = 192, margin = 0.5): Promise<Buffer> {
  const pad = Math.round(faceSize * margin);
  const tiles = await Promise.all(
    faces.map((f) =>
      sharp(f.png)
        .resize(faceSize, faceSize)
        .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#7f7f7f' })
        .toBuffer(),
    ),
  );
  const cols = faces.length === 1 ? 1 : 2;
  const cell = faceSize + 2 * pad;
  const scale = Math.min(1, 640 / (cols * cell), 480 / (Math.ceil(faces.length / cols) * cell));
  const size = Math.floor(cell * scale);
  const resized = await Promise.all(tiles.map((t) => sharp(t).resize(size, size).toBuffer()));
  const offX = Math.floor((640 - cols * size) / 2),
    offY = Math.floor((480 - Math.ceil(faces.length / cols) * size) / 2);
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#7f7f7f' } })
    .composite(
      resized.map((input, i) => ({ input, left: offX + (i % cols) * size, top: offY + Math.floor(i / cols) * size })),
    )
    .grayscale()
    .raw()
    .toBuffer();
}

/** A gray 640x480 RGB frame's raw bytes with each image pasted at its place (left, top). */
export function grayFrameWith(pastes: { input: Buffer; left: number; top: number }[]): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#7f7f7f' } })
    .composite(pastes)
    .removeAlpha()
    .raw()
    .toBuffer();
}
