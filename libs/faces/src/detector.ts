import * as tf from '@tensorflow/tfjs';
import type { Box } from './crop';
import type { TinyDetectorNet } from './tiny-detector-fused';
import { frameFace, type Framing } from './framing';

export type DetectorKind = 'tiny' | 'ssd';

/** Each detector's framing (see framing.ts); `null` leaves its boxes as they are (squared around their centre when cropped). */
export const DETECTOR_FRAMING: Record<DetectorKind, Framing | null> = {
  tiny: { scale: 0.936, dx: 0.027, dy: -0.106 },
  ssd: null,
};

/** The part of @vladmandic/face-api we use; the browser and Node builds both provide it. */
export interface FaceApi {
  nets: {
    tinyFaceDetector: {
      loadFromUri(url: string): Promise<void>;
      loadFromDisk?(dir: string): Promise<void>;
      isLoaded: boolean;
    } & TinyDetectorNet;
    ssdMobilenetv1: {
      loadFromUri(url: string): Promise<void>;
      loadFromDisk?(dir: string): Promise<void>;
      isLoaded: boolean;
    };
  };
  TinyFaceDetectorOptions: new (o: { inputSize?: number; scoreThreshold?: number }) => unknown;
  SsdMobilenetv1Options: new (o: { minConfidence?: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): Promise<{ box: Box; score: number }[]>;
}

/**
 * Input sizes the tiny detector tries on an image or frame, cheapest first, until one finds a face.
 * Measured on our 640x480 test frames (tools/demo/detector-input-size.ts): 224 finds as many
 * faces as 416 (83%) at a third of the cost; 416 then catches the smaller faces 224 misses.
 */
export const AUTO_INPUT_SIZES = [224, 416] as const;

/** The score a detection needs, unless the caller sets one. */
export const DEFAULT_MIN_SCORE = 0.4;

/**
 * With 'auto', the score a face needs once no size found one at DEFAULT_MIN_SCORE. FER faces
 * pasted into 640x480 frames (tools/bench/pipeline-accuracy.ts, 280 validation faces, 3 places
 * each) were found 78 / 93 / 87% of the time at 96 / 192 / 320 px with 0.4 alone, 82 / 95 / 91%
 * with a fallback to 0.3, 89 / 96 / 96% with 0.2. On faceless frames made of the same faces cut
 * into tiles and shuffled, a false face appeared in 3, 8 and 21 of 280: 0.3 is the middle way. The
 * lower bar comes only after the higher one found nothing, so a frame with a clear face never
 * gets a doubtful second box.
 */
export const AUTO_FALLBACK_MIN_SCORE = 0.3;

export interface DetectorOptions {
  kind: DetectorKind;
  /**
   * Tiny detector input size (multiple of 32); larger finds smaller faces, slower. 'auto' tries
   * AUTO_INPUT_SIZES in turn (the default everywhere: uploads, the API and the live page).
   */
  inputSize?: number | 'auto';
  /** The score a detection needs; default DEFAULT_MIN_SCORE, then AUTO_FALLBACK_MIN_SCORE with 'auto'. */
  minScore?: number;
  /** How boxes map onto the training framing; by default the detector's (DETECTOR_FRAMING), null for its raw boxes. */
  framing?: Framing | null;
}

export function detectorOptions(api: FaceApi, o: DetectorOptions & { inputSize?: number }): unknown {
  return o.kind === 'ssd'
    ? new api.SsdMobilenetv1Options({ minConfidence: o.minScore ?? DEFAULT_MIN_SCORE })
    : new api.TinyFaceDetectorOptions({
        inputSize: o.inputSize ?? 416,
        scoreThreshold: o.minScore ?? DEFAULT_MIN_SCORE,
      });
}

export function netFor(api: FaceApi, kind: DetectorKind) {
  return kind === 'ssd' ? api.nets.ssdMobilenetv1 : api.nets.tinyFaceDetector;
}

/** SSD MobileNet's fixed input size in face-api. */
const SSD_INPUT_SIZE = 512;

/**
 * face-api pads the whole frame to a square and casts it to float before resizing it to the
 * detector's input size; on a 640x480 frame that full-size work cost three times the network
 * itself (tf.profile, WASM). Resizing first, to the input size, gives the detector the same
 * picture at a fraction of the cost; boxes are scaled back to the frame.
 */
async function detectAtSize(api: FaceApi, input: tf.Tensor3D, o: DetectorOptions & { inputSize?: number }) {
  const target = o.kind === 'ssd' ? SSD_INPUT_SIZE : (o.inputSize ?? 416);
  const [h, w] = input.shape;
  const scale = Math.min(1, target / Math.max(h, w));
  if (scale === 1) return api.detectAllFaces(input, detectorOptions(api, o));
  const small = tf.image.resizeBilinear(input, [
    Math.max(1, Math.round(h * scale)),
    Math.max(1, Math.round(w * scale)),
  ]);
  try {
    const found = await api.detectAllFaces(small, detectorOptions(api, o));
    const [sy, sx] = [h / small.shape[0], w / small.shape[1]];
    return found.map((d) => ({
      score: d.score,
      box: { x: d.box.x * sx, y: d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy },
    }));
  } finally {
    small.dispose();
  }
}

/** Detected faces as plain boxes around each face as the model's training crops frame it, largest first. */
export async function detectFaces(
  api: FaceApi,
  input: tf.Tensor3D,
  o: DetectorOptions,
): Promise<{ box: Box; score: number }[]> {
  const auto = o.kind === 'tiny' && o.inputSize === 'auto';
  const sizes = auto ? AUTO_INPUT_SIZES : [o.inputSize === 'auto' ? undefined : o.inputSize];
  const scores = auto && o.minScore === undefined ? [DEFAULT_MIN_SCORE, AUTO_FALLBACK_MIN_SCORE] : [o.minScore];
  const tries = scores.flatMap((minScore) => sizes.map((inputSize) => ({ ...o, inputSize, minScore })));
  let found: { box: Box; score: number }[] = [];
  for (const attempt of tries) {
    found = await detectAtSize(api, input, attempt);
    if (found.length) break;
  }
  const framing = o.framing === undefined ? DETECTOR_FRAMING[o.kind] : o.framing;
  return found
    .map((d) => ({
      box: frameFace({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, framing),
      score: d.score,
    }))
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}
