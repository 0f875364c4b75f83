/**
 * The names of the architectures the product trains: the form, the API's validation and the
 * hyperparameter default read them here, without loading TensorFlow. The builders live in
 * `@moodlab/cnn/training`, whose registry must hold exactly these names (its test checks).
 */
export const ARCHITECTURE_NAMES = ['small-cnn', 'vgg-lite', 'seed-cnn'] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];

export const DEFAULT_ARCHITECTURE: ArchitectureName = 'small-cnn';

export function isArchitectureName(name: string): name is ArchitectureName {
  return (ARCHITECTURE_NAMES as readonly string[]).includes(name);
}
