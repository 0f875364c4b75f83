/** Face detection, cropping and per-face classification, shared by the browser demo and the server API. */
export { faceCrops, facesToModelInput, squareBox, type Box, type CropSampling } from './crop';
export { classifyFaces } from './classify';
export {
  facePredictionSchema,
  imagePredictionSchema,
  predictResponseSchema,
  type FacePrediction,
  type ImagePrediction,
  type PredictResponse,
} from './prediction';
export { DetectionCadence } from './detection-cadence';
export {
  AUTO_FALLBACK_MIN_SCORE,
  AUTO_INPUT_SIZES,
  DEFAULT_MIN_SCORE,
  DETECTOR_FRAMING,
  detectFaces,
  detectorOptions,
  netFor,
  type DetectorKind,
  type DetectorOptions,
  type FaceApi,
} from './detector';
export { fuseTinyFaceDetector, fusedForwardInput, type TinyDetectorNet } from './tiny-detector-fused';
export { frameFace, type Framing } from './framing';
export { bestMatch, boxIou } from './box-match';
