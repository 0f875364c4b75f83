import { z } from 'zod';
import { versionNumberSchema } from './stored-values';
import { DEFAULT_ARCHITECTURE } from './architectures';

/** scale01: pixels / 255; scale11: to [-1, 1] (Keras' mini-Xception and many tutorials); standardize: per image. */
export const NORMALIZATIONS = ['scale01', 'scale11', 'standardize'] as const;

/** Preprocessing is part of the model contract: it is stored in every exported artifact. */
export const preprocessingSchema = z.object({
  imageSize: z.number().int().min(16).max(128).default(48),
  normalization: z.enum(NORMALIZATIONS).default('scale01'),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/**
 * How a model takes its input beyond size and normalisation: models brought from Keras may want
 * 3 channels (gray repeated) or a flat vector (48x48 = 2304). Recorded in the model's metadata;
 * the models Moodlab trains take one channel, unflattened.
 */
export const inputLayoutSchema = z.object({
  channels: z.union([z.literal(1), z.literal(3)]).default(1),
  flatten: z.boolean().default(false),
});
export type InputLayout = z.infer<typeof inputLayoutSchema>;

/** A model's full input contract, as its metadata records it. */
export const modelPreprocessingSchema = preprocessingSchema.extend(inputLayoutSchema.shape);
export type ModelPreprocessing = Preprocessing & Partial<InputLayout>;

export const augmentationSchema = z.object({
  enabled: z.boolean().default(true),
  rotationDeg: z.number().min(0).max(45).default(10),
  shift: z.number().min(0).max(0.3).default(0.1),
  zoom: z.number().min(0).max(0.3).default(0.1),
  horizontalFlip: z.boolean().default(true),
  /** Webcam conditions: brightness shifted by up to this fraction of full scale (0 = off). */
  brightness: z.number().min(0).max(0.5).default(0),
  /** Contrast scaled about the image mean by a factor within 1 ± this (0 = off). */
  contrast: z.number().min(0).max(0.9).default(0),
  /** Gamma drawn log-uniformly within [1/(1+g), 1+g] (0 = off). */
  gamma: z.number().min(0).max(1).default(0),
  /** Probability of a slight (3x3 binomial) blur, as an out-of-focus or upscaled camera crop gives. */
  blur: z.number().min(0).max(1).default(0),
});

/**
 * The one hyperparameter schema: the dashboard form, the HTTP API, job payloads
 * and the training loop all parse through it.
 */
export const hyperparametersSchema = z.object({
  architecture: z.string().min(1).default(DEFAULT_ARCHITECTURE),
  epochs: z.number().int().min(1).max(500).default(8),
  batchSize: z.number().int().min(1).max(1024).default(64),
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  learningRate: z.number().positive().max(10).default(0.002),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).max(1).default(0),
  /** 'plateau' divides the rate by 5 after 2 epochs without a better validation loss. */
  lrSchedule: z.enum(['constant', 'step', 'cosine', 'plateau']).default('constant'),
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  earlyStoppingPatience: z.number().int().min(0).max(100).default(0),
  /**
   * Stochastic weight averaging: the mean of the weights (BatchNorm statistics included) at the end
   * of each of the last N epochs becomes the model when it validates at least as well as the last
   * epoch's weights (both with recomputed BatchNorm statistics when recalibrateBatchNorm is on). 0: off.
   */
  averageLastEpochs: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(0)
    .describe('Average the weights of the last N epochs (0: off)'),
  /**
   * At the end, BatchNorm moving statistics are recomputed exactly over this many training images
   * (a seeded subset, no augmentation), for the last epoch's weights and for their average; the
   * version that validates best becomes the model. 0: off.
   */
  recalibrateBatchNorm: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(8192)
    .describe('Recompute BatchNorm statistics over N training images at the end (0: off)'),
  classWeighting: z.boolean().default(false),
  classWeightPower: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('With class weighting: 1 weighs each class by its inverse frequency, 0.5 by its square root (milder)'),
  augmentation: augmentationSchema.default(augmentationSchema.parse({ enabled: false })),
  preprocessing: preprocessingSchema.default(preprocessingSchema.parse({})),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  /**
   * Start from this model version's weights instead of random ones (same architecture, classes
   * and image size): fine-tuning, or more epochs for a shipped model on a new machine.
   */
  initFrom: versionNumberSchema
    .nullable()
    .default(null)
    .describe('A model version to start from (empty: random weights)'),
  /**
   * Knowledge distillation: these model versions (an ensemble, each also shown the mirrored face)
   * label every training image once, before the first epoch, and the loss pulls the model towards
   * their softened probabilities as well as towards the true labels. Empty: off.
   */
  distillFrom: z
    .array(versionNumberSchema)
    .max(4)
    .default([])
    .describe('Model versions whose averaged predictions the model also learns from (empty: off)'),
  /** The teachers' share of the loss; the true labels get the rest. */
  distillWeight: z.number().min(0).max(1).default(0.5).describe('With teachers: their share of the loss (0 to 1)'),
  /** Both sides' probabilities are softened as softmax(log p / T) before they are compared. */
  distillTemperature: z
    .number()
    .min(1)
    .max(10)
    .default(2)
    .describe("With teachers: the temperature that softens their and the model's probabilities"),
});
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;
export type HyperparametersInput = z.input<typeof hyperparametersSchema>;

/**
 * Hyperparameters as recorded with a run or in a model card. A field added after the record was
 * made takes the value that says what that run did (the feature off), not today's default.
 */
export const storedHyperparametersSchema = z.preprocess(
  (v) => (v !== null && typeof v === 'object' ? { recalibrateBatchNorm: 0, ...v } : v),
  hyperparametersSchema,
);
