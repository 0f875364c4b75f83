import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { checkpointMetaSchema, epochMetricSchema, type CheckpointMeta } from '@moodlab/shared';

const weightSpecSchema = z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.string() }).passthrough();

/**
 * Everything needed to continue a run exactly where it stopped: model weights (including
 * BatchNorm statistics), optimizer slots, the metrics history and early-stopping state, and the
 * running weight average when the run averages its last epochs, and the teachers' soft labels when
 * it distils (a resume would otherwise spend minutes labelling the training set again).
 * Serialised as [u32 header length][header JSON][model weights][optimizer weights][average weights]
 * [teacher targets].
 */
const headerSchema = checkpointMetaSchema.extend({
  history: z.array(epochMetricSchema),
  best: z.object({ epoch: z.number().int(), valAccuracy: z.number(), valLoss: z.number() }).nullable(),
  epochsWithoutImprovement: z.number().int().min(0),
  /** Reduce-on-plateau state: reductions so far, and epochs since the best validation loss. */
  plateau: z
    .object({ reductions: z.number().int().min(0), wait: z.number().int().min(0), bestLoss: z.number() })
    .default({ reductions: 0, wait: 0, bestLoss: Number.MAX_VALUE }),
  modelSpecs: z.array(weightSpecSchema),
  modelBytes: z.number().int().min(0),
  optimizerSpecs: z.array(weightSpecSchema),
  optimizerBytes: z.number().int().min(0).optional(),
  /** The running mean of the model weights over the epochs averaged so far (averageLastEpochs). */
  average: z
    .object({ epochs: z.number().int().min(1), bytes: z.number().int().min(0) })
    .nullable()
    .default(null),
  /** The teachers' soft labels for the training split (N x K), when the run distils. */
  targets: z
    .object({ specs: z.array(weightSpecSchema), bytes: z.number().int().min(0) })
    .nullable()
    .default(null),
});
export type CheckpointState = Omit<
  z.infer<typeof headerSchema>,
  'format' | 'modelSpecs' | 'modelBytes' | 'optimizerSpecs' | 'optimizerBytes' | 'average' | 'targets'
>;

/** Model weights averaged over the last epochs, in model.getWeights() order. */
export interface WeightAverage {
  epochs: number;
  weights: tf.Tensor[];
}

export interface EncodedCheckpoint {
  data: Uint8Array;
  digest: string;
  meta: CheckpointMeta;
}

export async function encodeCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: CheckpointState,
  average: WeightAverage | null = null,
  targets: Float32Array | null = null,
): Promise<EncodedCheckpoint> {
  const modelWeights = model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor }));
  const optimizerWeights = await optimizer.getWeights();
  const m = await tf.io.encodeWeights(modelWeights);
  const o = await tf.io.encodeWeights(optimizerWeights);
  const a = average ? await tf.io.encodeWeights(average.weights.map((tensor, i) => ({ name: `w${i}`, tensor }))) : null;
  const t = targets ? await encodeTargets(targets) : null;
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: 'moodlab-checkpoint-v1',
      ...state,
      modelSpecs: m.specs,
      modelBytes: m.data.byteLength,
      optimizerSpecs: o.specs,
      optimizerBytes: o.data.byteLength,
      average: a && average ? { epochs: average.epochs, bytes: a.data.byteLength } : null,
      targets: t ? { specs: t.specs, bytes: t.data.byteLength } : null,
    }),
  );
  const blocks = [m.data, o.data, ...(a ? [a.data] : []), ...(t ? [t.data] : [])].map((b) => new Uint8Array(b));
  const data = new Uint8Array(4 + header.length + blocks.reduce((n, b) => n + b.byteLength, 0));
  new DataView(data.buffer).setUint32(0, header.length, true);
  data.set(header, 4);
  let offset = 4 + header.length;
  for (const block of blocks) {
    data.set(block, offset);
    offset += block.byteLength;
  }
  return {
    data,
    digest: createHash('sha256').update(data).digest('hex'),
    meta: { format: 'moodlab-checkpoint-v1', nextEpoch: state.nextEpoch, architecture: state.architecture },
  };
}

/** Restores weights into a freshly built model of the same architecture and its optimizer. */
export async function restoreCheckpoint(
  bytes: Uint8Array,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<CheckpointState & { average: WeightAverage | null; targets: Float32Array | null }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(0, true);
  const header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLen))));
  const copy = (from: number, to: number) => bytes.slice(from, to).buffer as ArrayBuffer;
  const start = 4 + headerLen;
  const modelMap = tf.io.decodeWeights(
    copy(start, start + header.modelBytes),
    header.modelSpecs as tf.io.WeightsManifestEntry[],
  );
  const optimizerEnd =
    header.optimizerBytes === undefined ? bytes.byteLength : start + header.modelBytes + header.optimizerBytes;
  const optMap = tf.io.decodeWeights(
    copy(start + header.modelBytes, optimizerEnd),
    header.optimizerSpecs as tf.io.WeightsManifestEntry[],
  );
  const modelTensors = header.modelSpecs.map((s) => modelMap[s.name]!);
  if (modelTensors.length !== model.getWeights().length) {
    throw new Error(
      `checkpoint has ${modelTensors.length} weight tensors, the ${header.architecture} model ${model.getWeights().length}`,
    );
  }
  model.setWeights(modelTensors);
  tf.dispose(modelTensors);
  await optimizer.setWeights(header.optimizerSpecs.map((s) => ({ name: s.name, tensor: optMap[s.name]! })));
  let average: WeightAverage | null = null;
  if (header.average) {
    const avgMap = tf.io.decodeWeights(
      copy(optimizerEnd, optimizerEnd + header.average.bytes),
      header.modelSpecs as tf.io.WeightsManifestEntry[],
    );
    average = { epochs: header.average.epochs, weights: header.modelSpecs.map((s) => avgMap[s.name]!) };
  }
  let targets: Float32Array | null = null;
  if (header.targets) {
    const from = optimizerEnd + (header.average?.bytes ?? 0);
    const map = tf.io.decodeWeights(
      copy(from, from + header.targets.bytes),
      header.targets.specs as tf.io.WeightsManifestEntry[],
    );
    const values = map.targets?.dataSync();
    tf.dispose(map.targets);
    if (!(values instanceof Float32Array)) throw new Error('checkpoint names teacher targets but holds none');
    targets = values;
  }
  const {
    format: _f,
    modelSpecs: _m,
    modelBytes: _b,
    optimizerSpecs: _o,
    optimizerBytes: _ob,
    average: _a,
    targets: _t,
    ...state
  } = header;
  return { ...state, average, targets };
}

/** One 1-D float32 tensor: the targets travel in the weights' own encoding. */
async function encodeTargets(targets: Float32Array) {
  const tensor = tf.tensor1d(targets, 'float32');
  try {
    return await tf.io.encodeWeights([{ name: 'targets', tensor }]);
  } finally {
    tensor.dispose();
  }
}
