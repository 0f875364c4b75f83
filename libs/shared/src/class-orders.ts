import { z } from 'zod';
import { EMOTIONS } from './labels';

/**
 * The class orders a model trained elsewhere commonly has: a Keras file does not record its own.
 * `fer2013-csv` is the label order of Kaggle's fer2013.csv (0 = angry ... 6 = neutral), which most
 * FER tutorials keep; `alphabetical` is what Keras' flow_from_directory gives for class folders,
 * and is our own order (EMOTIONS).
 */
export const CLASS_ORDER_PRESETS = {
  'fer2013-csv': ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'],
  alphabetical: [...EMOTIONS],
} as const satisfies Record<string, readonly string[]>;
export type ClassOrderPreset = keyof typeof CLASS_ORDER_PRESETS;
export const CLASS_ORDER_PRESET_NAMES = Object.keys(CLASS_ORDER_PRESETS) as ClassOrderPreset[];

/** A preset's name, or the classes listed in the model's output order. */
export const classOrderSchema = z.union([
  z.enum(CLASS_ORDER_PRESET_NAMES as [ClassOrderPreset, ...ClassOrderPreset[]]),
  z
    .array(z.string().min(1))
    .min(2)
    .refine((names) => new Set(names).size === names.length, 'class names repeat'),
]);
export type ClassOrder = z.infer<typeof classOrderSchema>;

export function resolveClassOrder(order: ClassOrder): readonly string[] {
  return typeof order === 'string' ? CLASS_ORDER_PRESETS[order] : order;
}

/** A class order as people type it (a form field, a CLI flag): a preset's name, or the classes comma-separated. */
export function classOrderFromText(text: string | undefined): string | string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const trimmed = text.trim();
  return trimmed in CLASS_ORDER_PRESETS ? trimmed : trimmed.split(',').map((c) => c.trim());
}
