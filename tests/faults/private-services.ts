import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/**
 * A Postgres and a Redis server of the fault tests' own, on their own ports, which the tests
 * restart at will; the shared servers are never touched. Postgres refuses to run as root, so as
 * root its files belong to, and its commands run as, the postgres user.
 */
const PG_BIN = ['/usr/lib/postgresql']
  .flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .sort()
          .reverse()
          .map((v) => path.join(d, v, 'bin'))
      : [],
  )
  .find((d) => existsSync(path.join(d, 'pg_ctl')));

/** Why the fault tests cannot run here, or null. */
export function privateServicesMissing(): string | null {
  if (!PG_BIN) return 'PostgreSQL server binaries not found under /usr/lib/postgresql';
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'redis-server not found';
  }
  return null;
}

const asPostgres = (cmd: string, args: string[]) => {
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'ignore' });
};

export class PrivatePostgres {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'moodlab-fault-pg-'));
  constructor(readonly port: number) {}
  get url() {
    return `postgresql://postgres@127.0.0.1:${this.port}/moodlab_faults_test`;
  }

  start(): void {
    const data = path.join(this.dir, 'data');
    if (!existsSync(data)) {
      if (process.getuid?.() === 0) execFileSync('chown', ['postgres', this.dir]);
      asPostgres(path.join(PG_BIN!, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    }
    asPostgres(path.join(PG_BIN!, 'pg_ctl'), [
      '-D',
      data,
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** A fast restart: every connection is cut, as in a failover. */
  restart(): void {
    asPostgres(path.join(PG_BIN!, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
    this.start();
  }

  stop(): void {
    try {
      asPostgres(path.join(PG_BIN!, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      /* not running */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  private proc: ChildProcess | null = null;
  constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    for (let i = 0; i < 50; i++) {
      if (
        await probe.connect().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    probe.disconnect();
  }

  /** Killed and started empty: a Redis without persistence losing everything, as in development. */
  async restartEmpty(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise((resolve) => {
      proc.once('exit', resolve);
      proc.kill('SIGKILL');
    });
  }
}
