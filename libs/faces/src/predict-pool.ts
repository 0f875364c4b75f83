import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { packageDir, startTypeScriptWorker } from '@moodlab/shared/node';
import { ImageDecodeError, type ImagePrediction } from './prediction';
import type { DetectorKind } from './detector';
import { threadReplySchema, type ThreadRequest } from './predict-protocol';

/** A model as the pool takes it: a stable key (the version id) and its artifact. */
export interface PoolModel {
  key: string;
  meta: unknown;
  data: Uint8Array;
}

interface Pending {
  resolve: (r: ImagePrediction) => void;
  reject: (e: Error) => void;
}

class PredictThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly pending = new Map<number, Pending>();
  readonly models = new Set<string>();
  alive = true;

  constructor(entry: string) {
    this.worker = startTypeScriptWorker(entry);
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (raw: unknown) => {
        const msg = threadReplySchema.parse(raw);
        if (msg.type === 'ready') {
          resolve();
          return;
        }
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.type === 'predicted') p?.resolve(msg.result);
        else p?.reject(msg.kind === 'decode' ? new ImageDecodeError(msg.message) : new Error(msg.message));
      });
      this.worker.on('error', (err) => {
        reject(err);
        this.failAll(err);
      });
      this.worker.on('exit', (code) => {
        this.alive = false;
        const err = new Error(`prediction thread exited (code ${code})`);
        reject(err);
        this.failAll(err);
      });
    });
    // A thread that dies before anyone waits on it (closed while starting) is not an unhandled error.
    this.ready.catch(() => {});
  }

  private failAll(err: Error) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * Two: with one request per thread, a thread's core idled while libvips decoded its next image.
 * Measured on 2 cores (AMD EPYC, 2026-12-02), 10 clients, interleaved pairs: on the pool alone
 * 102.5-123.6 req/s with one and 115.8-139.3 with two (five pairs); through /api/predict 74.0-88.8
 * with one and 94.2-102.2 with two (four pairs, the machine busier), 109.0 and 119.3 with one and
 * 114.0 and 126.3 with two (two pairs, quiet and warmed up). Every pair was won by two.
 */
const IN_FLIGHT_PER_THREAD = 2;

interface Job {
  bytes: Uint8Array;
  model: PoolModel;
  detector: DetectorKind;
  resolve: (r: ImagePrediction) => void;
  reject: (e: Error) => void;
}

/**
 * Server-side predictions on worker threads, one per core by default: the WASM backend runs
 * one thread per instance, so a single instance would serve one request at a time. Requests
 * wait in one first-come-first-served queue and go to a thread when it has room: a thread holds
 * up to IN_FLIGHT_PER_THREAD of them, decoding the next while it detects and classifies the
 * current one, in order. Handing every request to a thread at once let requests interleave
 * within a thread and overtake each other: with 50 concurrent clients the p95 latency was 1.45x
 * the median, with one shared queue 1.13x (tools/bench/demo.ts). A model's weights go to a
 * thread once.
 */
export class PredictPool {
  private threads: PredictThread[];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    size: number,
    private readonly entry = defaultEntry(),
  ) {
    this.threads = Array.from({ length: Math.max(1, size) }, () => new PredictThread(entry));
  }

  predict(bytes: Uint8Array, model: PoolModel, detector: DetectorKind): Promise<ImagePrediction> {
    if (this.closed) return Promise.reject(new Error('prediction pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, model, detector, resolve, reject });
      this.dispatch();
    });
  }

  /** Hands queued requests to free threads, oldest first. */
  private dispatch(): void {
    // A thread that died (out of memory, a crash in native code) fails its requests and is replaced.
    this.threads = this.threads.map((t) => (t.alive ? t : new PredictThread(this.entry)));
    // In rounds, so that every thread has one request before any has two.
    for (let depth = 1; depth <= IN_FLIGHT_PER_THREAD; depth++)
      for (const thread of this.threads)
        if (thread.pending.size < depth && this.queue.length) this.start(thread, this.queue.shift()!);
  }

  private start(thread: PredictThread, job: Job): void {
    const id = this.nextId++;
    const first = !thread.models.has(job.model.key);
    thread.models.add(job.model.key);
    const msg: ThreadRequest = {
      type: 'predict',
      id,
      bytes: job.bytes,
      detector: job.detector,
      model: first ? job.model : { key: job.model.key },
    };
    const settle = () => {
      if (!this.closed) this.dispatch();
    };
    thread.pending.set(id, {
      resolve: (r) => {
        job.resolve(r);
        settle();
      },
      reject: (e) => {
        job.reject(e);
        settle();
      },
    });
    // A thread that fails while starting rejects its pending requests itself (failAll).
    thread.ready.then(
      () => thread.worker.postMessage(msg),
      () => {},
    );
  }

  get size(): number {
    return this.threads.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('prediction pool is closed'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}

/** The thread entry as a file on disk (bundlers move this module, not the package). */
function defaultEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(path.join('src', 'predict-pool.ts'))
    ? path.join(path.dirname(here), 'predict-thread.ts')
    : path.join(packageDir('@moodlab/faces'), 'src', 'predict-thread.ts');
}
