import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder of an installed npm package, found by walking up from the working directory.
 * require.resolve would be simpler, but bundlers (Next's) rewrite it to module ids; packages
 * here are looked up only to read files they ship (WASM binaries, face-api models). The ignore
 * comments stop Next's file tracer from reading this run-time walk as a use of every file.
 */
export function packageDir(name: string, from: string = process.cwd()): string {
  for (let dir = path.resolve(/*turbopackIgnore: true*/ from); ; dir = path.dirname(dir)) {
    const candidate = path.join(/*turbopackIgnore: true*/ dir, 'node_modules', name);
    if (existsSync(path.join(/*turbopackIgnore: true*/ candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`package ${name} is not installed (looked from ${from} upwards)`);
  }
}
