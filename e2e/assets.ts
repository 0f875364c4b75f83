import path from 'node:path';

/** Files the e2e preparation writes and the tests read (ignored by git). */
export const ASSETS_DIR = path.resolve('e2e/.assets');
export const CAMERA_VIDEO = path.join(ASSETS_DIR, 'camera-1-face.y4m');
export const MANIFEST = path.join(ASSETS_DIR, 'manifest.json');
export const UPLOAD_ZIP = path.join(ASSETS_DIR, 'mini-dataset.zip');
/** A small Keras 2 model file, as `model.save('fer_cnn.h5')` writes it. */
export const KERAS_H5 = path.join(ASSETS_DIR, 'fer_cnn.h5');

export interface AssetManifest {
  source: 'fer2013' | 'synthetic';
  /** Frames with one detectable face each, as PNG files in ASSETS_DIR. */
  frames: string[];
  noFace: string;
}
