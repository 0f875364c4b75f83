export { packageDir } from './package-dir';
export { PinnedSources, SourcesChangedError } from './pinned-sources';
export { librarySources, startTypeScriptWorker } from './typescript-worker';
