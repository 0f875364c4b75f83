export { packageDir } from './package-dir';
export { PinnedSources } from './pinned-sources';
export { librarySources, startTypeScriptWorker } from './typescript-worker';
