import type * as tf from '@tensorflow/tfjs';

export interface ArchitectureOptions {
  imageSize: number;
  numClasses: number;
  seed: number;
}

/** An architecture is data in the registry: a name, a description and a builder. */
export interface Architecture {
  name: string;
  description: string;
  build(opts: ArchitectureOptions): tf.LayersModel;
}
