import h5wasm from 'h5wasm/node';

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly; its Node build reads and writes
 * the host's files). Keras files are HDF5: the model's configuration sits in attributes, the
 * weights in datasets.
 */
export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5 files start with an 8-byte signature (at offset 0 for every file Keras writes). */
export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Opens a file; errors from the C library become one readable message. */
export async function openH5(path: string, mode: 'r' | 'w'): Promise<H5File> {
  await h5wasm.ready;
  try {
    return new h5wasm.File(path, mode);
  } catch (err) {
    throw new Error(
      `cannot open as HDF5 (${err instanceof Error ? err.message : String(err)}); the file may be truncated`,
    );
  }
}

export function isGroup(entity: unknown): entity is H5Group {
  return entity instanceof h5wasm.Group;
}

/** A dataset's values as float32, with its shape. */
export function readFloatDataset(file: H5File, path: string): { shape: number[]; values: Float32Array } {
  const ds = file.get(path);
  if (!(ds instanceof h5wasm.Dataset)) throw new Error(`the weights file has no dataset ${path}`);
  const value = ds.value;
  if (!ArrayBuffer.isView(value) || value instanceof DataView || typeof value[0] === 'bigint')
    throw new Error(`weights ${path} are not floating-point numbers (${ds.dtype})`);
  return { shape: ds.shape ?? [], values: Float32Array.from(value as ArrayLike<number>) };
}

/** A string attribute (h5py writes them as fixed or variable length; both come back as strings). */
export function stringAttr(group: H5Group, name: string): string | null {
  const value = group.attrs[name]?.value;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return null;
}

/** A list-of-strings attribute (`layer_names`, `weight_names`); an empty one reads as []. */
export function stringListAttr(group: H5Group, name: string): string[] | null {
  const value = group.attrs[name]?.value;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  if (ArrayBuffer.isView(value) && 'length' in value && value.length === 0) return [];
  return null;
}
