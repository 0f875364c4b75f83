/**
 * The names of the architectures the product trains: the form, the API's validation and the
 * hyperparameter default read them here, without loading TensorFlow. The builders live in
 * `@moodlab/cnn/training`, whose registry must hold exactly these names (its test checks).
 */
export const ARCHITECTURE_NAMES = ['small-cnn', 'vgg-lite', 'vgg-wide', 'seed-cnn'] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];

/**
 * Which architectures a run may start from (initFrom) besides its own: a wider one grows from a
 * narrower one of the same layout (Net2WiderNet; @moodlab/cnn's models/widen.ts).
 */
export const GROWS_FROM: Readonly<Partial<Record<ArchitectureName, readonly ArchitectureName[]>>> = {
  'vgg-wide': ['vgg-lite'],
};

/** Whether a run of `architecture` may start from a model version of `from`. */
export function canStartFrom(architecture: string, from: string): boolean {
  return (
    architecture === from ||
    (isArchitectureName(architecture) && (GROWS_FROM[architecture] ?? []).some((name) => name === from))
  );
}

export const DEFAULT_ARCHITECTURE: ArchitectureName = 'small-cnn';

/** Models brought from Keras are named `keras:<file>`; they train only from their own version (initFrom). */
export const IMPORTED_ARCHITECTURE_PREFIX = 'keras:';

export function isImportedArchitecture(name: string): boolean {
  return name.startsWith(IMPORTED_ARCHITECTURE_PREFIX);
}

export function isArchitectureName(name: string): name is ArchitectureName {
  return (ARCHITECTURE_NAMES as readonly string[]).includes(name);
}
