/**
 * One thread of the prediction pool: its own TF.js WASM backend, face-api and models, so that
 * predictions run on every core instead of queueing on the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { loadInferenceModel, type ModelMetadata } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import { ImageDecodeError, loadNodeFaceApi, predictImage } from './node';
import { threadRequestSchema, type ThreadReply } from './predict-protocol';

const port = parentPort!;
const models = new Map<string, Promise<{ model: tf.LayersModel; metadata: ModelMetadata }>>();
const send = (msg: ThreadReply) => port.postMessage(msg);

await selectBackend({ prefer: 'wasm', threads: 1 });
await loadNodeFaceApi(['tiny']);
send({ type: 'ready' });

port.on('message', (raw: unknown) => {
  const msg = threadRequestSchema.parse(raw);
  void (async () => {
    const { key, meta, data } = msg.model;
    if (!models.has(key)) {
      if (!data) throw new Error(`model ${key} was never sent to this thread`);
      models.set(key, loadInferenceModel(meta, data));
    }
    const { model, metadata } = await models.get(key)!;
    const result = await predictImage(msg.bytes, model, metadata, msg.detector);
    send({ type: 'predicted', id: msg.id, result });
  })().catch((err: unknown) => {
    send({
      type: 'failed',
      id: msg.id,
      kind: err instanceof ImageDecodeError ? 'decode' : 'other',
      message: err instanceof Error ? err.message : String(err),
    });
  });
});
