import { errorMessage } from '@moodlab/shared';
import path from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { packageDir } from '@moodlab/shared/node';
import type { ModelMetadata } from '@moodlab/cnn/inference';
import { nativeKernelsRegistered } from '@moodlab/cnn/backend';
import { classifyFaces } from './classify';
import { ImageDecodeError, type ImagePrediction } from './prediction';
import { detectFaces, netFor, type DetectorKind, type FaceApi } from './detector';
import { fuseTinyFaceDetector } from './tiny-detector-fused';

/** Server-side face pipeline: decode with sharp, detect with face-api's Node WASM build, classify. */

/** face-api ships its models in its npm package; nothing is fetched from the internet. */
export const FACE_MODELS_DIR = path.join(packageDir('@vladmandic/face-api'), 'model');

let api: FaceApi | null = null;

export async function loadNodeFaceApi(kinds: DetectorKind[] = ['tiny']): Promise<FaceApi> {
  // The Node WASM build shares our @tensorflow/tfjs instance and its already selected backend.
  if (!api) {
    const mod = (await import('@vladmandic/face-api/dist/face-api.node-wasm.js')) as unknown as {
      default?: FaceApi;
    } & FaceApi;
    api = mod.default ?? mod;
  }
  for (const kind of kinds) {
    const net = netFor(api, kind);
    if (!net.isLoaded) await net.loadFromDisk!(FACE_MODELS_DIR);
  }
  if (api.nets.tinyFaceDetector.isLoaded) {
    fuseTinyFaceDetector(api.nets.tinyFaceDetector, {
      leakyInKernel: tf.getBackend() !== 'wasm' || nativeKernelsRegistered(),
    });
  }
  return api;
}

export { ImageDecodeError };

export interface DecodedImage {
  tensor: tf.Tensor3D;
  width: number;
  height: number;
}

/**
 * Widening the decoded bytes to float32 through a reused buffer: letting TF.js convert a
 * Uint8Array allocates and converts element by element, which cost more than decoding a 640x480
 * frame (about 10 ms against 2.5 ms, tools/bench/predict-stages.ts). Float32 rather than the int32
 * of the browser's fromPixels: the same values, and detection and cropping need no Cast of the
 * full frame. The WASM backend copies a tensor's values into its heap when the tensor is made, so
 * the buffer is free again at once; other backends may keep a reference, so they get their own.
 */
let widened = new Float32Array(0);
function floatTensor(bytes: Uint8Array, shape: [number, number, number]): tf.Tensor3D {
  if (tf.getBackend() !== 'wasm') return tf.tensor3d(Float32Array.from(bytes), shape, 'float32');
  if (widened.length < bytes.length) widened = new Float32Array(bytes.length);
  const view = widened.subarray(0, bytes.length);
  view.set(bytes);
  return tf.tensor3d(view, shape, 'float32');
}

/** Any image sharp reads, as an RGB tensor, downscaled so its longer side is at most maxSide. */
export async function decodeImage(bytes: Uint8Array, maxSide = 1280): Promise<DecodedImage> {
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(bytes, { limitInputPixels: 50_000_000 })
      .rotate()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageDecodeError(`not a readable image: ${errorMessage(err).split('\n')[0]}`);
  }
  const { data, info } = raw;
  return {
    tensor: floatTensor(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [
      info.height,
      info.width,
      info.channels,
    ]),
    width: info.width,
    height: info.height,
  };
}

export type { ImagePrediction };

export async function predictImage(
  bytes: Uint8Array,
  model: tf.LayersModel,
  metadata: ModelMetadata,
  detector: DetectorKind = 'tiny',
): Promise<ImagePrediction> {
  const t0 = performance.now();
  const image = await decodeImage(bytes);
  return predictDecoded(image, model, metadata, detector, performance.now() - t0);
}

/** Detection and classification of a decoded image, which it disposes; `decodeMs` is reported as given. */
export async function predictDecoded(
  image: DecodedImage,
  model: tf.LayersModel,
  metadata: ModelMetadata,
  detector: DetectorKind,
  decodeMs: number,
): Promise<ImagePrediction> {
  try {
    const t1 = performance.now();
    const faceApi = await loadNodeFaceApi([detector]);
    const faces = await detectFaces(faceApi, image.tensor, { kind: detector, inputSize: 'auto' });
    const t2 = performance.now();
    const predictions = classifyFaces(model, metadata, image.tensor, faces);
    const t3 = performance.now();
    return {
      width: image.width,
      height: image.height,
      faces: predictions,
      timings: { decodeMs, detectMs: t2 - t1, classifyMs: t3 - t2 },
    };
  } finally {
    image.tensor.dispose();
  }
}

export { PredictPool, type PoolModel } from './predict-pool';
