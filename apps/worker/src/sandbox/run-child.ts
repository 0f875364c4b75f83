import { errorMessage } from '@moodlab/shared';
import { librarySources, PinnedSources, SourcesChangedError } from '@moodlab/shared/node';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childMessageSchema, type ChildMessage, type EpochAnswer, type ParentMessage } from './messages';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/** The worker's own sources (apps/worker/src) as this process loaded them; the child loads them again. */
const workerSources = new PinnedSources(path.dirname(path.dirname(CHILD)));

export interface ChildRun {
  /** Resolves with the child's final message ('trained', 'evaluated'), rejects on 'error' or a crash. */
  done: Promise<ChildMessage>;
  kill(): void;
  /** Answers the child's latest epoch (see epochAnswerSchema). */
  answer(msg: EpochAnswer): void;
}

/**
 * Starts a child, sends it one request and feeds every message to `onMessage` in order,
 * awaiting each, so that database writes for epoch N finish before those for epoch N+1.
 * A child is refused, with a SourcesChangedError, when the sources it would load changed on disk
 * after this process started (a deploy under a running worker): it would speak a protocol this
 * process may not parse. A child whose own threads are refused for that reason fails with one too.
 */
export function runInChild(request: ParentMessage, onMessage: (msg: ChildMessage) => Promise<void>): ChildRun {
  try {
    librarySources.assertUnchanged();
    workerSources.assertUnchanged();
  } catch (err) {
    return { done: Promise.reject(err instanceof Error ? err : new Error(String(err))), kill() {}, answer() {} };
  }
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let chain = Promise.resolve();
  let final: ChildMessage | null = null;
  let failure: Error | null = null;
  const done = new Promise<ChildMessage>((resolve, reject) => {
    child.on('message', (raw) => {
      const parsed = childMessageSchema.safeParse(raw);
      chain = chain
        .then(async () => {
          if (!parsed.success) {
            failure = new Error(`bad message from training process: ${parsed.error.message}`);
            return;
          }
          const msg = parsed.data;
          if (msg.type === 'error')
            failure = msg.sourcesChanged ? new SourcesChangedError(msg.message) : new Error(msg.message);
          else if (msg.type === 'trained' || msg.type === 'evaluated') final = msg;
          else await onMessage(msg);
        })
        .catch((err: unknown) => {
          failure = new Error(errorMessage(err));
          child.kill('SIGKILL');
        });
    });
    child.on('exit', (code, signal) => {
      void chain.then(() => {
        if (final && !failure) resolve(final);
        else reject(failure ?? new Error(`training process exited (${signal ?? `code ${code}`})`));
      });
    });
    child.on('error', (err) => reject(err));
  });
  child.send(request);
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    // A child that already exited has nobody to answer.
    answer: (msg) => {
      if (child.connected) child.send(msg);
    },
  };
}
