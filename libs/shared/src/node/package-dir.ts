import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder of an installed npm package, found by walking up from the working directory.
 * require.resolve would be simpler, but bundlers (Next's) rewrite it to module ids; packages
 * here are looked up only to read files they ship (WASM binaries, face-api models).
 */
export function packageDir(name: string, from: string = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`package ${name} is not installed (looked from ${from} upwards)`);
  }
}
