import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { isGroup, isHdf5, openH5, readFloatDataset, stringAttr, stringListAttr, type H5File } from './h5';

/** One stored weight: its Keras name where the file records one (Keras 2 layout), shape and values. */
export interface KerasWeight {
  name: string | null;
  shape: number[];
  values: Float32Array;
}

/** What a Keras model file holds, whichever of its layouts it came in. */
export interface KerasModelFile {
  layout: 'hdf5' | 'keras-zip';
  kerasVersion: string | null;
  /** The model's Keras configuration: `{ class_name, config }`. */
  modelConfig: unknown;
  /** Weights per layer name, in the order the file records them. */
  layerWeights: Map<string, KerasWeight[]>;
  /** Class order and preprocessing, where `moodlab export` wrote them. */
  moodlabMetadata: unknown;
}

/** Thrown for files that are not a Keras model: the caller's input, so a 4xx in the dashboard. */
export class KerasFileError extends Error {}

/** Reads a Keras model saved with `model.save()`: HDF5 (`.h5`, Keras 2 and Keras 3's legacy format) or a Keras 3 `.keras` zip. */
export async function readKerasFile(bytes: Uint8Array): Promise<KerasModelFile> {
  if (isHdf5(bytes)) return withTempFile(bytes, readHdf5Model);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readKerasZip(bytes);
  throw new KerasFileError(
    'not a Keras model file: expected HDF5 (.h5, .hdf5) or a Keras 3 .keras archive (a zip); this file is neither',
  );
}

async function withTempFile<T>(bytes: Uint8Array, read: (file: H5File) => T): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-keras-'));
  const file = path.join(dir, 'model.h5');
  try {
    await writeFile(file, bytes);
    const h5 = await openH5(file, 'r').catch((err: Error) => {
      throw new KerasFileError(err.message);
    });
    try {
      return read(h5);
    } catch (err) {
      if (err instanceof KerasFileError) throw err;
      // The HDF5 library reports a damaged file as it trips over it, in its own words.
      throw new KerasFileError(`cannot read the HDF5 file (${errorText(err)}); it may be truncated or damaged`);
    } finally {
      try {
        h5.close();
      } catch {
        // A damaged file may fail to close too; the read's error is the one to report.
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KerasFileError(`${what} is not valid JSON`);
  }
}

/** Keras 2 layout: `model_config` on the root, weights under `model_weights/<layer>/` named by `weight_names`. */
function readHdf5Model(file: H5File): KerasModelFile {
  const config = stringAttr(file, 'model_config');
  if (config === null) {
    const weightsOnly = stringListAttr(file, 'layer_names') !== null;
    throw new KerasFileError(
      weightsOnly
        ? 'this HDF5 file holds weights only (model.save_weights); save the whole model with model.save("model.h5")'
        : 'this HDF5 file is not a Keras model: it has no model_config attribute',
    );
  }
  const root = file.get('model_weights');
  if (!isGroup(root)) throw new KerasFileError('this Keras file has no model_weights group (saved without weights?)');
  const layerWeights = new Map<string, KerasWeight[]>();
  for (const layer of stringListAttr(root, 'layer_names') ?? root.keys()) {
    const group = root.get(layer);
    if (!isGroup(group)) throw new KerasFileError(`model_weights lists layer ${layer} but has no group for it`);
    // The recorded order, never the listing: HDF5 lists alphabetically, which puts BatchNormalization's beta before gamma.
    const names = stringListAttr(group, 'weight_names') ?? [];
    layerWeights.set(
      layer,
      names.map((name) => ({ name, ...readFloatDataset(file, `model_weights/${layer}/${name}`) })),
    );
  }
  return {
    layout: 'hdf5',
    kerasVersion: stringAttr(file, 'keras_version'),
    modelConfig: parseJson(config, 'model_config'),
    layerWeights,
    moodlabMetadata: moodlabAttr(file),
  };
}

function moodlabAttr(file: H5File): unknown {
  const text = stringAttr(file, 'moodlab_metadata');
  return text === null ? null : parseJson(text, 'moodlab_metadata');
}

const kerasZipMetadataSchema = z.object({ keras_version: z.string().optional() }).passthrough();

/** Keras 3 layout: config.json and metadata.json beside model.weights.h5, whose `layers/<name>/vars/<i>` hold the weights by position. */
async function readKerasZip(bytes: Uint8Array): Promise<KerasModelFile> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => ['config.json', 'metadata.json', 'model.weights.h5'].includes(f.name),
    });
  } catch (err) {
    throw new KerasFileError(`not a readable .keras archive: ${errorText(err)}`);
  }
  const text = (name: string) => {
    const entry = entries[name];
    if (!entry) throw new KerasFileError(`the .keras archive has no ${name}`);
    return new TextDecoder().decode(entry);
  };
  const config = parseJson(text('config.json'), 'config.json');
  const metadata = kerasZipMetadataSchema.safeParse(parseJson(text('metadata.json'), 'metadata.json'));
  const weights = entries['model.weights.h5'];
  if (!weights || !isHdf5(weights)) throw new KerasFileError('the .keras archive has no HDF5 model.weights.h5');
  return withTempFile(weights, (file) => ({
    layout: 'keras-zip' as const,
    kerasVersion: metadata.success ? (metadata.data.keras_version ?? null) : null,
    modelConfig: config,
    layerWeights: readVarsByPosition(file),
    moodlabMetadata: moodlabAttr(file),
  }));
}

function readVarsByPosition(file: H5File): Map<string, KerasWeight[]> {
  const out = new Map<string, KerasWeight[]>();
  const layers = file.get('layers');
  if (!isGroup(layers)) return out;
  for (const layer of layers.keys()) {
    const vars = file.get(`layers/${layer}/vars`);
    if (!isGroup(vars)) continue;
    // Variables are named 0, 1, ...; sort numerically (the listing puts 10 before 2).
    const order = vars.keys().sort((a, b) => Number(a) - Number(b));
    out.set(
      layer,
      order.map((i) => ({ name: null, ...readFloatDataset(file, `layers/${layer}/vars/${i}`) })),
    );
  }
  return out;
}
