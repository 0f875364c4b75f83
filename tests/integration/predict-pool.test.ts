import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getArchitecture } from '@moodlab/cnn/training';
import { modelMetadataSchema, modelToArtifact } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import { ImageDecodeError, PredictPool, predictImage, type PoolModel } from '@moodlab/faces/node';
import { EMOTIONS, preprocessingSchema } from '@moodlab/shared';
import { detectableFaces, framePng } from '../../tools/demo/detectable-faces';

/** The prediction API's thread pool gives what the in-process pipeline gives, and fails the same way. */
let pool: PredictPool;
let model: PoolModel;
let inProcess: Parameters<typeof predictImage>[1];
let frames: Buffer[] = [];

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  const built = getArchitecture('small-cnn').build({ imageSize: 48, numClasses: 7, seed: 9 });
  const artifact = await modelToArtifact(built, {
    classNames: [...EMOTIONS],
    preprocessing: preprocessingSchema.parse({}),
    architecture: 'small-cnn',
  });
  model = { key: 'v-test', meta: artifact.meta, data: artifact.data };
  inProcess = built;
  const { faces } = await detectableFaces(2);
  frames = [await framePng(faces.slice(0, 1)), await framePng(faces.slice(1, 2))];
  pool = new PredictPool(2);
});

afterAll(async () => {
  await pool.close();
});

describe('prediction thread pool', () => {
  it('predicts concurrently on its threads, as the in-process pipeline does', async () => {
    const meta = modelMetadataSchema.parse({
      classNames: [...EMOTIONS],
      preprocessing: preprocessingSchema.parse({}),
      architecture: 'small-cnn',
    });
    // Four at once: both threads busy, each receives the model once and reuses it.
    const pooled = await Promise.all([...frames, ...frames].map((f) => pool.predict(new Uint8Array(f), model, 'tiny')));
    for (const [i, frame] of frames.entries()) {
      const local = await predictImage(new Uint8Array(frame), inProcess, meta, 'tiny');
      for (const result of [pooled[i]!, pooled[i + 2]!]) {
        expect(result.faces).toHaveLength(local.faces.length);
        expect(result.faces[0]!.label).toBe(local.faces[0]!.label);
        expect(result.faces[0]!.box.x).toBeCloseTo(local.faces[0]!.box.x, 3);
        for (const c of EMOTIONS)
          expect(Math.abs(result.faces[0]!.scores[c]! - local.faces[0]!.scores[c]!)).toBeLessThan(1e-5);
      }
    }
  });

  it('reports an undecodable image as ImageDecodeError and keeps serving', async () => {
    const bad = pool.predict(new TextEncoder().encode('not an image'), model, 'tiny');
    await expect(bad).rejects.toThrow(ImageDecodeError);
    await expect(bad).rejects.toThrow(/not a readable image/);
    const good = await pool.predict(new Uint8Array(frames[0]!), model, 'tiny');
    expect(good.faces.length).toBeGreaterThan(0);
  });

  it('answers a bad image queued behind good ones on the same thread, in order, and keeps the thread', async () => {
    const single = new PredictPool(1);
    try {
      const order: number[] = [];
      const sent = [frames[0]!, Buffer.from('not an image'), frames[1]!].map((bytes, i) => {
        const p = single.predict(new Uint8Array(bytes), model, 'tiny');
        void p.then(
          () => order.push(i),
          () => order.push(i),
        );
        return p;
      });
      const settled = await Promise.allSettled(sent);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      await expect(sent[1]).rejects.toThrow(ImageDecodeError);
      expect(order).toEqual([0, 1, 2]);
      const again = await single.predict(new Uint8Array(frames[0]!), model, 'tiny');
      expect(again.faces.length).toBeGreaterThan(0);
    } finally {
      await single.close();
    }
  });

  it('replaces a thread that died', async () => {
    const threads = (pool as unknown as { threads: { worker: { terminate(): Promise<number> } }[] }).threads;
    await Promise.all(threads.map((t) => t.worker.terminate()));
    const after = await pool.predict(new Uint8Array(frames[0]!), model, 'tiny');
    expect(after.faces.length).toBeGreaterThan(0);
  });

  it('serves queued requests first come, first served, and fails those still waiting when closed', async () => {
    const single = new PredictPool(1);
    const order: number[] = [];
    const served = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        single.predict(new Uint8Array(frames[i % 2]!), model, 'tiny').then((r) => {
          order.push(i);
          return r;
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3]);
    expect(served.every((r) => r.faces.length > 0)).toBe(true);
    const waiting = Promise.allSettled([0, 1, 2].map(() => single.predict(new Uint8Array(frames[0]!), model, 'tiny')));
    await single.close();
    const outcomes = await waiting;
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toMatch(/pool is closed/);
    await expect(single.predict(new Uint8Array(frames[0]!), model, 'tiny')).rejects.toThrow(/pool is closed/);
  });
});
