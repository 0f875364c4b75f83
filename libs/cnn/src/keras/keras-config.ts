import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { KerasFileError } from './keras-file';

/**
 * Keras configurations to the form TF.js 4.22 reads (Keras 2's). Keras 3 changed a few things TF.js
 * rejects: `batch_shape` for `batch_input_shape`, dtype policy objects for dtype names, L1/L2
 * regularizer classes, and how a functional model's nodes name their inputs. No library does this
 * rewrite (tfjs-converter needs Python), so it is written here.
 */
const modelConfigSchema = z.object({ class_name: z.string(), config: z.unknown() }).passthrough();

/** Keys that Keras 3 adds and TF.js does not know; they carry nothing a loaded model needs. */
const KERAS3_ONLY_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'optional']);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The topology `tf.models.modelFromJSON` takes, from a Keras file's model configuration. */
export function toTfjsTopology(modelConfig: unknown, kerasVersion: string | null): { [key: string]: Json } {
  const parsed = modelConfigSchema.safeParse(modelConfig);
  if (!parsed.success) throw new KerasFileError('the model configuration has no class_name and config');
  const rewritten = rewrite(parsed.data, null);
  if (!isObject(rewritten)) throw new KerasFileError('the model configuration is not an object');
  const unsupported = unsupportedLayers(rewritten);
  if (unsupported.length)
    throw new KerasFileError(
      `layers TF.js cannot run: ${unsupported.map((u) => `${u.className} ("${u.name}")`).join(', ')}; ` +
        'replace them in Keras (or drop preprocessing and augmentation layers before saving) and export again',
    );
  return { ...rewritten, keras_version: kerasVersion ?? 'unknown', backend: 'tensorflow' };
}

function rewrite(value: unknown, key: string | null): Json {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, null));
  if (!isObject(value)) return value as Json;
  if (key === 'dtype' && typeof value.class_name === 'string' && isObject(value.config)) {
    // A dtype policy ("float32", "mixed_float16"): TF.js computes in float32 either way.
    const name = String(value.config.name ?? 'float32');
    return name.startsWith('mixed_') ? 'float32' : name;
  }
  if ((value.class_name === 'L2' || value.class_name === 'L1') && isObject(value.config)) {
    const config = value.config;
    return { class_name: 'L1L2', config: { l1: Number(config.l1 ?? 0), l2: Number(config.l2 ?? 0) } };
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    if (KERAS3_ONLY_KEYS.has(k)) continue;
    if (k === 'batch_shape') out.batch_input_shape = rewrite(v, k);
    else if (k === 'inbound_nodes' && Array.isArray(v)) out[k] = v.map(rewriteNode);
    else if ((k === 'input_layers' || k === 'output_layers') && Array.isArray(v) && typeof v[0] === 'string')
      out[k] = [v as Json]; // Keras 3 writes a single input or output unnested
    else out[k] = rewrite(v, k);
  }
  return out;
}

/**
 * A functional model's node. Keras 2 (and TF.js): `[[layer, nodeIndex, tensorIndex, kwargs], ...]`;
 * Keras 3: `{ args, kwargs }` whose args hold `__keras_tensor__` objects naming their `keras_history`.
 */
function rewriteNode(node: unknown): Json {
  if (!isObject(node) || !('args' in node)) return rewrite(node, null);
  const inputs: Json[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v) && v.class_name === '__keras_tensor__' && isObject(v.config)) {
      const history = v.config.keras_history;
      if (Array.isArray(history) && history.length === 3) inputs.push([...(history as Json[]), {}]);
    }
  };
  collect(node.args);
  return inputs;
}

interface UnsupportedLayer {
  className: string;
  name: string;
}

/** Every layer (nested models included) whose class TF.js has not registered. */
function unsupportedLayers(model: Record<string, unknown>): UnsupportedLayer[] {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  const out: UnsupportedLayer[] = [];
  const visit = (cfg: unknown) => {
    if (!isObject(cfg) || typeof cfg.class_name !== 'string') return;
    const inner = cfg.config;
    const layers = Array.isArray(inner) ? inner : isObject(inner) && Array.isArray(inner.layers) ? inner.layers : null;
    if (!(cfg.class_name in known)) {
      const name = isObject(inner) && typeof inner.name === 'string' ? inner.name : cfg.class_name;
      out.push({ className: cfg.class_name, name });
    }
    layers?.forEach(visit);
  };
  visit(model);
  return out;
}
