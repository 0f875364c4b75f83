import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript entry file: our libraries ship as TypeScript sources, so
 * the thread registers tsx before it imports the entry.
 */
export function startTypeScriptWorker(entryFile: string): Worker {
  const href = JSON.stringify(pathToFileURL(entryFile).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${href}); })`, {
    eval: true,
  });
}
