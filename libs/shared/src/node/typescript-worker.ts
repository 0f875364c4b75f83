import { realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageDir } from './package-dir';
import { PinnedSources } from './pinned-sources';

/** The libraries folder (libs/), as this process loaded it: its threads and children must load the same. */
export const librarySources = new PinnedSources(path.dirname(realpathSync(packageDir('@moodlab/shared'))));

/**
 * A worker thread running a TypeScript entry file: our libraries ship as TypeScript sources, so
 * the thread registers tsx before it imports the entry. Refused when the libraries changed on disk
 * since this process started (PinnedSources).
 */
export function startTypeScriptWorker(entryFile: string): Worker {
  librarySources.assertUnchanged();
  const href = JSON.stringify(pathToFileURL(entryFile).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${href}); })`, {
    eval: true,
  });
}
