import { spawn } from 'node:child_process';

/**
 * Another dashboard beside the one Playwright starts, on its own port and environment (an admin
 * password, an unreachable database): started and awaited before a spec's tests, stopped after.
 */
export async function startExtraDashboard(port: number, env: NodeJS.ProcessEnv): Promise<{ stop: () => void }> {
  const server = spawn('npx', ['next', 'start', '-p', String(port)], {
    cwd: 'apps/dashboard',
    stdio: 'ignore',
    detached: true,
    env: { ...process.env, ...env },
  });
  const stop = () => {
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
  };
  for (let i = 0; i < 100; i++) {
    // Any HTTP answer means it listens; the unreachable-database dashboard answers 500.
    if (
      await fetch(`http://127.0.0.1:${port}/api/datasets`).then(
        () => true,
        () => false,
      )
    )
      return { stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`the extra dashboard on port ${port} did not start`);
}
