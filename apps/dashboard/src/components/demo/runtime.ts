import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import {
  inferenceCopy,
  modelMetadataSchema,
  registerWasmCopyKernels,
  type ModelMetadata,
} from '@moodlab/cnn/inference';
import { fuseTinyFaceDetector, netFor, type DetectorKind, type FaceApi } from '@moodlab/faces';

export const api = faceapi as unknown as FaceApi;

/** True when WebGL is emulated on the CPU (SwiftShader, llvmpipe), where WASM is faster. */
function softwareWebGL(): boolean {
  const gl = document.createElement('canvas').getContext('webgl');
  if (!gl) return true;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return /swiftshader|llvmpipe|software/i.test(info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '');
}

/** Hardware WebGL where the browser has it, else WASM (SIMD when supported), else plain JS; ?backend= overrides. */
export async function startBackend(): Promise<string> {
  setWasmPaths('/api/tfjs-wasm/');
  registerWasmCopyKernels();
  const forced = new URLSearchParams(window.location.search).get('backend');
  const order = forced ? [forced] : softwareWebGL() ? ['wasm', 'cpu'] : ['webgl', 'wasm', 'cpu'];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      /* next one */
    }
  }
  throw new Error('no TensorFlow.js backend could start');
}

export async function loadDetector(kind: DetectorKind): Promise<void> {
  const net = netFor(api, kind);
  if (!net.isLoaded) await net.loadFromUri('/api/face-models');
  // WebGL fuses leaky ReLU into the convolution; the stock WASM backend runs it faster as separate ops.
  if (kind === 'tiny') fuseTinyFaceDetector(api.nets.tinyFaceDetector, { leakyInKernel: tf.getBackend() !== 'wasm' });
}

export interface ClientModel {
  id: string;
  version: number;
  model: tf.LayersModel;
  metadata: ModelMetadata;
}

export async function loadModel(id: string, version: number): Promise<ClientModel> {
  const trained = await tf.loadLayersModel(`/api/models/${id}/model.json`);
  const metadata = modelMetadataSchema.parse(trained.getUserDefinedMetadata());
  const model = await inferenceCopy(trained);
  return { id, version, model, metadata };
}
