import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { Hyperparameters, ModelPreprocessing } from '@moodlab/shared';
import { startTypeScriptWorker } from '@moodlab/shared/node';
import type { BackendName } from '../backend/select-backend';
import type { ReplicaReply, ReplicaRequest } from './replica-protocol';
import type { StepGradients } from './step';
import type { LabeledImages } from '../datasets/labeled-images';
import { predictProbabilities } from '../inference/predict';
import { arraysFor, copyTensorInto } from './tensor-arrays';

const ENTRY = fileURLToPath(new URL('./replica-thread.ts', import.meta.url));

class Replica {
  private pending: { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void } | null = null;
  constructor(readonly thread: Worker) {
    thread.on('message', (msg) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(msg as ReplicaReply);
    });
    const fail = (err: Error) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(err);
    };
    thread.on('error', (err) => fail(new Error(`training replica failed: ${err.message}`)));
    thread.on('exit', (code) => fail(new Error(`training replica exited (code ${code})`)));
  }

  /** Sends a request; the reply comes as the promise. Messages between threads are copied in memory. */
  request(msg: ReplicaRequest): Promise<ReplicaReply> {
    const reply = new Promise<ReplicaReply>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    this.thread.postMessage(msg);
    return reply;
  }
}

/** The reply a request expects, or the replica's error. */
function expectReply<T extends ReplicaReply['type']>(r: ReplicaReply, type: T): Extract<ReplicaReply, { type: T }> {
  if (r.type === 'error') throw new Error(`training replica failed: ${r.message}`);
  if (r.type !== type) throw new Error(`unexpected replica reply ${r.type}`);
  return r as Extract<ReplicaReply, { type: T }>;
}

/**
 * Extra threads for synchronous data-parallel training: the WASM backend computes on one thread,
 * so a second core is used by a second thread, with its own backend, computing half of each batch.
 * Threads rather than processes: weights and gradients pass as in-memory copies (a process pipe
 * serialised them, about 20 ms a step for vgg-lite).
 */
export class ReplicaPool {
  private shared: { weights: Float32Array[]; grads: Float32Array[][] } | null = null;

  private constructor(
    private readonly replicas: Replica[],
    private readonly preprocessing: ModelPreprocessing,
  ) {}

  static async start(
    count: number,
    opts: {
      hyperparameters: Hyperparameters;
      numClasses: number;
      classWeights: Float32Array | null;
      backend: BackendName;
    },
  ): Promise<ReplicaPool> {
    const replicas = Array.from({ length: count }, () => new Replica(startTypeScriptWorker(ENTRY)));
    const pool = new ReplicaPool(replicas, opts.hyperparameters.preprocessing);
    try {
      const replies = await Promise.all(replicas.map((r, i) => r.request({ type: 'init', index: i + 1, ...opts })));
      for (const reply of replies)
        if (reply.type !== 'ready') throw new Error(reply.type === 'error' ? reply.message : 'replica did not start');
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.replicas.length;
  }

  /**
   * Starts the replicas on their slices (sent at once) with the variables' current values; the
   * promise brings their gradients. Weights and gradients pass through memory shared with the
   * replicas, allocated on the first step: a replica reads the weights before it replies, and the
   * next step writes them only after every reply, so no step sees another's values.
   */
  step(
    epoch: number,
    vars: tf.Variable[],
    slices: { pixels: Float32Array; labels: Int32Array; teacher: Float32Array | null }[],
  ): Promise<(StepGradients & { tensors: number })[]> {
    const sizes = vars.map((v) => v.size);
    this.shared ??= {
      weights: arraysFor(sizes, true),
      grads: this.replicas.map(() => arraysFor(sizes, true)),
    };
    const { weights, grads } = this.shared;
    vars.forEach((v, i) => copyTensorInto(v, weights[i]!));
    const replies = slices.map((s, i) =>
      this.replicas[i]!.request({ type: 'step', epoch, weights, gradsInto: grads[i]!, ...s }),
    );
    return Promise.all(replies).then((rs) => rs.map((r) => expectReply(r, 'gradients')));
  }

  /**
   * Class probabilities for a split with the model's current weights, the split cut into one part
   * per replica plus ours: inference on every core. Each image's probabilities depend on that
   * image alone (the model in inference mode), so the cut does not change them.
   */
  async predict(model: tf.LayersModel, split: LabeledImages, flipTta = false): Promise<Float32Array> {
    const n = split.labels.length,
      px = split.size * split.size,
      k = model.outputs[0]!.shape[1] as number;
    const per = Math.ceil(n / (this.replicas.length + 1));
    const part = (r: number) => ({
      size: split.size,
      images: split.images.subarray(Math.min(n, r * per) * px, Math.min(n, (r + 1) * per) * px),
      labels: split.labels.subarray(Math.min(n, r * per), Math.min(n, (r + 1) * per)),
    });
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    const remote = this.replicas.map((replica, r) =>
      replica.request({ type: 'predict', weights, images: part(r + 1).images, size: split.size, flipTta }),
    );
    const ours = predictProbabilities(model, part(0), this.preprocessing, 256, flipTta);
    const theirs = (await Promise.all(remote)).map((r) => expectReply(r, 'probabilities').probs);
    const out = new Float32Array(n * k);
    let at = 0;
    for (const probs of [ours, ...theirs]) {
      out.set(probs, at);
      at += probs.length;
    }
    return out;
  }

  close(): void {
    for (const r of this.replicas) void r.thread.terminate();
  }
}
