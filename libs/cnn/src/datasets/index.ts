/**
 * `@moodlab/cnn/datasets`: importing images (class folders, zips, fer2013.csv) with a report,
 * packing them into one file per dataset, the synthetic faces, and training-time augmentation.
 */
export { createRng, shuffledIndices, type Rng } from './random';
export { augmentInto, gatherBatch, type Augmentation } from './augment';
export { classCounts, type LabeledImages } from './labeled-images';
export { generateSyntheticFaces, type SyntheticOptions } from './synthetic-faces';
export { packDataset, unpackSplit, packMetaSchema, type PackMeta, type PackedDataset } from './pack';
export { importClassFolders, type ImportOptions, type ImportResult } from './import/folder-import';
export { importFer2013Csv } from './import/csv-import';
export { importZip } from './import/zip-import';
export { decodeGray } from './import/decode';
export type { ImportReport, ImportProblem, ProblemPolicy } from './import/report';
