/**
 * A data-parallel training replica (a worker thread): holds a copy of the model, takes the coordinator's latest
 * weights and a slice of the batch, and returns that slice's gradients. It never updates the
 * weights itself; the coordinator applies the averaged gradients and sends the result.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { getArchitecture } from './models/registry';
import { seedMathRandom } from './seeded-random';
import { replicaRequestSchema, type ReplicaReply } from './replica-protocol';
import { computeGradients } from './step';
import { predictProbabilities } from '../inference/predict';

let state: { model: tf.LayersModel; vars: tf.Variable[]; epoch: number } | null = null;
let restoreRandom = () => {};
let init: Extract<ReturnType<typeof replicaRequestSchema.parse>, { type: 'init' }> | null = null;

const port = parentPort!;
const reply = (msg: ReplicaReply) => port.postMessage(msg);

port.on('message', (raw: unknown) => {
  void (async () => {
    const msg = replicaRequestSchema.parse(raw);
    if (msg.type === 'init') {
      init = msg;
      await selectBackend({ prefer: msg.backend, threads: 1 });
      const model = getArchitecture(msg.hyperparameters.architecture).build({
        imageSize: msg.hyperparameters.preprocessing.imageSize,
        numClasses: msg.numClasses,
        seed: msg.hyperparameters.seed,
      });
      state = { model, vars: model.trainableWeights.map((w) => w.read() as tf.Variable), epoch: -1 };
      reply({ type: 'ready' });
      return;
    }
    if (!state || !init) throw new Error('replica got a step before init');
    if (msg.type === 'predict') {
      // The coordinator's weights, moving statistics included; the next step sends fresh trainable ones anyway.
      const { model } = state;
      const shapes = model.getWeights().map((w) => w.shape);
      tf.tidy(() => model.setWeights(msg.weights.map((w, i) => tf.tensor(w, shapes[i]))));
      const count = msg.images.length / (msg.size * msg.size);
      const split = { size: msg.size, images: msg.images, labels: new Uint8Array(count) };
      reply({
        type: 'probabilities',
        probs: predictProbabilities(model, split, init.hyperparameters.preprocessing, 256, msg.flipTta),
      });
      return;
    }
    if (msg.epoch !== state.epoch) {
      restoreRandom();
      restoreRandom = seedMathRandom(`${init.hyperparameters.seed}:epoch:${msg.epoch}:replica:${init.index}`);
      state.epoch = msg.epoch;
    }
    // tidy: assign keeps its own reference; the temporary tensors must go, or each step leaks a copy of the weights.
    tf.tidy(() => msg.weights.forEach((w, i) => state!.vars[i]!.assign(tf.tensor(w, state!.vars[i]!.shape))));
    const g = computeGradients(
      state.model,
      state.vars,
      msg,
      { hp: init.hyperparameters, numClasses: init.numClasses, classWeights: init.classWeights },
      msg.gradsInto,
    );
    reply({ type: 'gradients', ...g, tensors: tf.memory().numTensors });
  })().catch((err: unknown) => {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  });
});
