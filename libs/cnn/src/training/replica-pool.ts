import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Hyperparameters } from '@moodlab/shared';
import type { BackendName } from '../backend/select-backend';
import type { ReplicaReply, ReplicaRequest } from './replica-protocol';
import type { StepGradients } from './step';

const ENTRY = new URL('./replica-process.ts', import.meta.url);

class Replica {
  private pending: { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void } | null = null;
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (msg) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(msg as ReplicaReply);
    });
    proc.on('exit', (code, signal) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(new Error(`training replica exited (${signal ?? `code ${code}`})`));
    });
  }

  /**
   * Sends a request and resolves once it is written out, with the reply still pending (boxed, as
   * a promise resolved with a promise would wait for it). Waiting for the write matters: the
   * caller computes synchronously next, which would stall a half-written pipe.
   */
  request(msg: ReplicaRequest): Promise<{ reply: Promise<ReplicaReply> }> {
    const reply = new Promise<ReplicaReply>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    return new Promise((resolve, reject) => this.proc.send(msg, (err) => (err ? reject(err) : resolve({ reply }))));
  }
}

function unwrap(r: ReplicaReply): StepGradients & { tensors: number } {
  if (r.type === 'error') throw new Error(`training replica failed: ${r.message}`);
  if (r.type !== 'gradients') throw new Error(`unexpected replica reply ${r.type}`);
  return r;
}

/**
 * Extra processes for synchronous data-parallel training: the WASM backend runs one thread in
 * Node, so a second core is used by a second process computing half of each batch.
 */
export class ReplicaPool {
  private constructor(private readonly replicas: Replica[]) {}

  static async start(
    count: number,
    opts: {
      hyperparameters: Hyperparameters;
      numClasses: number;
      classWeights: Float32Array | null;
      backend: BackendName;
    },
  ): Promise<ReplicaPool> {
    const execArgv = ENTRY.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const replicas = Array.from(
      { length: count },
      () =>
        new Replica(
          fork(fileURLToPath(ENTRY), [], {
            execArgv,
            serialization: 'advanced',
            stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
          }),
        ),
    );
    const pool = new ReplicaPool(replicas);
    try {
      const replies = await Promise.all(
        replicas.map(async (r, i) => (await r.request({ type: 'init', index: i + 1, ...opts })).reply),
      );
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

  /** Starts the replicas on their slices; resolves once sent, with their gradients pending. */
  async step(
    epoch: number,
    weights: Float32Array[],
    slices: { pixels: Float32Array; labels: Int32Array }[],
  ): Promise<{ gradients: Promise<(StepGradients & { tensors: number })[]> }> {
    const sent = await Promise.all(
      slices.map((s, i) => this.replicas[i]!.request({ type: 'step', epoch, weights, ...s })),
    );
    return { gradients: Promise.all(sent.map((s) => s.reply)).then((rs) => rs.map(unwrap)) };
  }

  close(): void {
    for (const r of this.replicas) r.proc.kill('SIGKILL');
  }
}
