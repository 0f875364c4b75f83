import type { z } from 'zod';
import type { augmentationSchema } from '@moodlab/shared';
import type { Rng } from './random';

export type Augmentation = z.infer<typeof augmentationSchema>;

/**
 * Random rotation, shift, zoom and horizontal flip of one uint8 image into a float buffer, then
 * the photometric changes the augmentation asks for (tone, blur),
 * with bilinear sampling and edge replication. Done on the CPU in plain JS: at 48x48 a batch of
 * 64 is ~150k samples, far cheaper than a training step, and identical on every backend.
 */
export function augmentInto(
  src: Uint8Array,
  srcOffset: number,
  size: number,
  a: Augmentation,
  rng: Rng,
  dst: Float32Array,
  dstOffset: number,
): void {
  const angle = (rng.uniform(-a.rotationDeg, a.rotationDeg) * Math.PI) / 180;
  const zoom = 1 + rng.uniform(-a.zoom, a.zoom);
  const tx = rng.uniform(-a.shift, a.shift) * size,
    ty = rng.uniform(-a.shift, a.shift) * size;
  const flip = a.horizontalFlip && rng.next() < 0.5 ? -1 : 1;
  const c = (size - 1) / 2;
  const cos = Math.cos(angle) / zoom,
    sin = Math.sin(angle) / zoom;
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = (x - c - tx) * flip,
        dy = y - c - ty;
      let sx = cos * dx + sin * dy + c;
      let sy = -sin * dx + cos * dy + c;
      sx = sx < 0 ? 0 : sx > last ? last : sx;
      sy = sy < 0 ? 0 : sy > last ? last : sy;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const x1 = x0 < last ? x0 + 1 : x0,
        y1 = y0 < last ? y0 + 1 : y0;
      const fx = sx - x0,
        fy = sy - y0;
      const r0 = srcOffset + y0 * size,
        r1 = srcOffset + y1 * size;
      const top = src[r0 + x0]! * (1 - fx) + src[r0 + x1]! * fx;
      const bottom = src[r1 + x0]! * (1 - fx) + src[r1 + x1]! * fx;
      dst[dstOffset + y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  if (a.brightness > 0 || a.contrast > 0 || a.gamma > 0) adjustTone(dst, dstOffset, size * size, a, rng);
  if (a.blur > 0 && rng.next() < a.blur) blur3x3(dst, dstOffset, size);
}

/**
 * Gamma, then contrast about the image's mean, then a brightness shift, clamped to [0, 255]:
 * the exposure and white-balance changes a webcam frame brings that FER2013's scans lack.
 */
function adjustTone(px: Float32Array, offset: number, n: number, a: Augmentation, rng: Rng): void {
  const gamma = a.gamma > 0 ? Math.exp(rng.uniform(-1, 1) * Math.log1p(a.gamma)) : 1;
  const contrast = 1 + rng.uniform(-a.contrast, a.contrast);
  const shift = rng.uniform(-a.brightness, a.brightness) * 255;
  let mean = 0;
  if (gamma !== 1) for (let i = offset; i < offset + n; i++) px[i] = 255 * Math.pow(px[i]! / 255, gamma);
  for (let i = offset; i < offset + n; i++) mean += px[i]!;
  mean /= n;
  for (let i = offset; i < offset + n; i++) {
    const v = (px[i]! - mean) * contrast + mean + shift;
    px[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** Separable [1 2 1]/4 blur with edge replication, in place. */
function blur3x3(px: Float32Array, offset: number, size: number): void {
  const row = new Float32Array(size);
  for (let y = 0; y < size; y++) {
    const r = offset + y * size;
    for (let x = 0; x < size; x++)
      row[x] = (px[r + Math.max(x - 1, 0)]! + 2 * px[r + x]! + px[r + Math.min(x + 1, size - 1)]!) / 4;
    px.set(row, r);
  }
  const col = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    for (let y = 0; y < size; y++) {
      const up = px[offset + Math.max(y - 1, 0) * size + x]!,
        down = px[offset + Math.min(y + 1, size - 1) * size + x]!;
      col[y] = (up + 2 * px[offset + y * size + x]! + down) / 4;
    }
    for (let y = 0; y < size; y++) px[offset + y * size + x] = col[y]!;
  }
}

/** Gathers a batch by index, augmenting each image when enabled. */
export function gatherBatch(
  images: Uint8Array,
  size: number,
  indices: ArrayLike<number>,
  a: Augmentation | null,
  rng: Rng,
): Float32Array {
  const px = size * size;
  const out = new Float32Array(indices.length * px);
  for (let i = 0; i < indices.length; i++) {
    const off = indices[i]! * px;
    if (a?.enabled) augmentInto(images, off, size, a, rng, out, i * px);
    else for (let k = 0; k < px; k++) out[i * px + k] = images[off + k]!;
  }
  return out;
}
