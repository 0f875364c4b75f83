import { spawn, type ChildProcess } from 'node:child_process';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-env';

/** Real worker processes against the test Postgres and Redis, with short lock and stall timers. */
export function startWorker(id: string, into: ChildProcess[]): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      WORKER_ID: id,
      LOCK_DURATION_MS: '3000',
      STALLED_INTERVAL_MS: '1000',
      HEARTBEAT_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => process.stdout.write(`[${id}] ${d}`));
  proc.stderr!.on('data', () => {});
  into.push(proc);
  return proc;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 100_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
