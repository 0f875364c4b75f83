import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * A fingerprint of a source tree: every non-test TypeScript file's path, size and modification
 * time. Stat only, no reading: it is taken whenever a thread starts, and a checkout or copy that
 * changes a file changes its time.
 */
export function sourceFingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(/*turbopackIgnore: true*/ dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'build') walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const s = statSync(full);
        hash.update(`${path.relative(root, full)}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(root);
  return hash.digest('hex');
}

/**
 * The sources a process loaded changed on disk under it. Not the job's fault: a worker hands the
 * job back and restarts (see apps/worker), and the job resumes on the new code.
 */
export class SourcesChangedError extends Error {}

/**
 * Holds a process to the library sources it loaded. Worker threads load their TypeScript from
 * disk when they start, so after a deploy under a running process (a `git pull`), new threads
 * would run new code beside the process's old code and exchange messages neither expects.
 * `assertUnchanged` turns that into one clear error before any such thread starts.
 */
export class PinnedSources {
  private readonly loaded: string;

  constructor(private readonly root: string) {
    this.loaded = sourceFingerprint(root);
  }

  assertUnchanged(): void {
    if (sourceFingerprint(this.root) !== this.loaded)
      throw new SourcesChangedError(
        `the library sources in ${this.root} changed on disk after this process started (a deploy?): ` +
          'restart it, so that it and its threads run the same code; runs resume from their last checkpoint',
      );
  }
}
