import * as tf from '@tensorflow/tfjs';
import { registeredNativeKernels } from '../backend/native-kernels';
import { copyTensorInto } from './tensor-arrays';

/** TF.js's optimizer slot: a name and a tensor (the type is not exported from @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Adam's update of one variable where the native kernels are not loaded; the addon's adamUpdate otherwise. */
function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  out: Float32Array,
  k: Float32Array,
) {
  const lr = k[0]!,
    b1 = k[1]!,
    b2 = k[2]!,
    eps = k[3]!,
    c1 = k[4]!,
    c2 = k[5]!;
  for (let j = 0; j < w.length; j++) {
    const gj = g[j]!;
    const mj = b1 * m[j]! + (1 - b1) * gj;
    const vj = b2 * v[j]! + (1 - b2) * gj * gj;
    m[j] = mj;
    v[j] = vj;
    out[j] = w[j]! - (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
  }
}

/**
 * Adam with the update of `tf.train.adam` (same defaults, same formula, same checkpoint slots:
 * `iter`, then every variable's `/m`, then every `/v`, so a checkpoint of either restores into
 * the other), run as one loop per variable over plain arrays.
 *
 * Hand-written because TF.js has no fused optimizer kernel: its Adam runs about ten kernels per
 * variable, each a pass over memory and a new tensor, which on the single-threaded WASM backend
 * cost 10.8 ms of a 202 ms two-replica vgg-lite step, serial while the replica waits
 * (tools/bench/replica-step.ts). The gradients arrive as arrays anyway (they are averaged across
 * replicas on the CPU), so the moments live beside them.
 */
export class ArrayAdam extends tf.Optimizer {
  static get className(): string {
    return 'Adam';
  }

  /** tf.Optimizer's own `instanceof` answers true for any optimizer, this one only for ArrayAdam. */
  static is(optimizer: tf.Optimizer): optimizer is ArrayAdam {
    return Object.prototype.isPrototypeOf.call(ArrayAdam.prototype, optimizer);
  }

  private m: Float32Array[] = [];
  private v: Float32Array[] = [];
  private slots: { name: string; shape: number[] }[] = [];
  /** Reused weight buffers, updated in place: the WASM backend copies a new tensor's values into its heap. */
  private scratch: Float32Array[] = [];
  /** The tensors handed out by the last getWeights(), freed by the next call or dispose(). */
  private exported: tf.Tensor[] = [];

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = tf.backend().epsilon(),
  ) {
    super();
  }

  /** One Adam step for `vars` from their gradients, in the same order on every call. */
  applyArrays(vars: tf.Variable[], grads: Float32Array[]): void {
    if (this.m.length === 0) {
      this.m = vars.map((w) => new Float32Array(w.size));
      this.v = vars.map((w) => new Float32Array(w.size));
      this.slots = vars.map((w) => ({ name: w.name, shape: w.shape }));
    }
    if (this.m.length !== vars.length || vars.some((w, i) => this.m[i]!.length !== w.size))
      throw new Error(
        `optimizer state holds ${this.m.length} slots that do not match the model's ${vars.length} variables`,
      );
    const t = this.iterations + 1;
    // tf.train.adam's bias corrections, as its setWeights() recomputes them: 1 - beta^t.
    const constants = Float32Array.of(
      this.learningRate,
      this.beta1,
      this.beta2,
      this.epsilon,
      1 - Math.pow(this.beta1, t),
      1 - Math.pow(this.beta2, t),
    );
    const update = registeredNativeKernels()?.adamUpdate.bind(null) ?? adamUpdate;
    const reuse = tf.getBackend() === 'wasm';
    vars.forEach((variable, i) => {
      // Other backends may keep the array a tensor is made from (and dataSync may be the variable's own), so they get a fresh copy.
      const w = reuse
        ? copyTensorInto(variable, (this.scratch[i] ??= new Float32Array(variable.size)))
        : Float32Array.from(variable.dataSync());
      update(w, grads[i]!, this.m[i]!, this.v[i]!, w, constants);
      tf.tidy(() => variable.assign(tf.tensor(w, variable.shape)));
    });
    this.incrementIterations();
  }

  /** The tensor form for callers of the standard API. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const registered = tf.engine().registeredVariables;
    const vars = named.map(({ name }) => {
      const variable = registered[name];
      if (!variable) throw new Error(`no variable named ${name}`);
      return variable;
    });
    this.applyArrays(
      vars,
      named.map(({ tensor }) => tensor.dataSync() as Float32Array),
    );
  }

  override async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    const slot = (suffix: string) => (a: Float32Array, i: number) => ({
      name: `${this.slots[i]!.name}/${suffix}`,
      tensor: tf.tensor(a, this.slots[i]!.shape),
    });
    const weights = [await this.saveIterations(), ...this.m.map(slot('m')), ...this.v.map(slot('v'))];
    this.exported = weights.map((w) => w.tensor);
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const slots = await this.extractIterations(weightValues);
    const half = slots.length / 2;
    const arrays = await Promise.all(slots.map(async ({ tensor }) => Float32Array.from(await tensor.data())));
    this.m = arrays.slice(0, half);
    this.v = arrays.slice(half);
    this.slots = slots
      .slice(0, half)
      .map(({ name, tensor }) => ({ name: name.replace(/\/m$/, ''), shape: tensor.shape }));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    super.dispose();
  }
}
