/**
 * `@moodlab/cnn/keras`: Keras model files in and out. Reads `.h5` (Keras 2, and Keras 3's legacy
 * HDF5) and Keras 3 `.keras` archives into model artifacts, and writes a model back as Keras HDF5.
 * Node only (it writes temporary files for the HDF5 library).
 */
export { readKerasFile, KerasFileError, type KerasModelFile, type KerasWeight } from './keras-file';
export { buildKerasModel, type KerasModel } from './keras-model';
export { reorderOutputs } from './output-order';
export {
  importKerasModel,
  suggestKerasSettings,
  type ImportedKerasModel,
  type KerasImportOptions,
  KerasSettingsMissingError,
  type SettingTrial,
} from './keras-import';
export { kerasH5Bytes } from './keras-export';
