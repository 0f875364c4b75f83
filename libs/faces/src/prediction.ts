import type { FacePrediction } from './classify';

/** What the server returns for one image. */
export interface ImagePrediction {
  width: number;
  height: number;
  faces: FacePrediction[];
  timings: { decodeMs: number; detectMs: number; classifyMs: number };
}

/** The bytes are not an image sharp can read (HTTP 400). */
export class ImageDecodeError extends Error {}
