/**
 * One thread of the prediction pool: its own TF.js WASM backend, face-api and models, so that
 * predictions run on every core instead of queueing on the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { loadInferenceModel, type ModelMetadata } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import { decodeImage, ImageDecodeError, loadNodeFaceApi, predictDecoded } from './node';
import { threadRequestSchema, type ThreadReply, type ThreadRequest } from './predict-protocol';

const port = parentPort!;
const models = new Map<string, Promise<{ model: tf.LayersModel; metadata: ModelMetadata }>>();
const send = (msg: ThreadReply) => port.postMessage(msg);

await selectBackend({ prefer: 'wasm', threads: 1 });
await loadNodeFaceApi(['tiny']);
send({ type: 'ready' });

/** The model a request names, loaded when it first arrives (requests are read in order). */
function modelFor({ key, meta, data }: ThreadRequest['model']) {
  const known = models.get(key);
  if (known) return known;
  if (!data) return Promise.reject(new Error(`model ${key} was never sent to this thread`));
  const loading = loadInferenceModel(meta, data);
  models.set(key, loading);
  return loading;
}

// The pool sends a thread up to IN_FLIGHT_PER_THREAD requests (predict-pool.ts): the next image decodes (on libvips's
// threads) while this one is detected and classified here, and the thread's turns keep their
// order, so a request never overtakes an earlier one on its thread.
let turn: Promise<unknown> = Promise.resolve();

port.on('message', (raw: unknown) => {
  const msg = threadRequestSchema.parse(raw);
  const loaded = modelFor(msg.model);
  const t0 = performance.now();
  const decoded = decodeImage(msg.bytes).then((image) => ({ image, ms: performance.now() - t0 }));
  // Their failures are answered in this request's turn; until then they are not unhandled.
  decoded.catch(() => {});
  loaded.catch(() => {});
  const mine = turn.then(async () => {
    const { image, ms } = await decoded;
    const { model, metadata } = await loaded.catch((err: unknown) => {
      image.tensor.dispose();
      throw err;
    });
    return predictDecoded(image, model, metadata, msg.detector, ms);
  });
  turn = mine.catch(() => {});
  mine.then(
    (result) => send({ type: 'predicted', id: msg.id, result }),
    (err: unknown) =>
      send({
        type: 'failed',
        id: msg.id,
        kind: err instanceof ImageDecodeError ? 'decode' : 'other',
        message: err instanceof Error ? err.message : String(err),
      }),
  );
});
