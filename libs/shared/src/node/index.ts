export { packageDir } from './package-dir';
export { startTypeScriptWorker } from './typescript-worker';
