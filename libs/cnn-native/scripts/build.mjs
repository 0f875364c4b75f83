// Builds the native kernels when a C++ toolchain and OpenBLAS are present. It never fails the
// install: without them, training runs on the WASM kernels and says so in its log.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const headers = ['/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h', '/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h', '/usr/include/openblas/cblas.h', '/usr/include/cblas.h'];

if (process.env.MOODLAB_NATIVE_KERNELS === '0') {
  console.log('cnn-native: skipped (MOODLAB_NATIVE_KERNELS=0)');
} else if (!headers.some((h) => existsSync(h))) {
  console.log('cnn-native: OpenBLAS headers not found (Debian/Ubuntu: apt-get install libopenblas-dev); training will use the WASM kernels');
} else {
  // npm puts its bundled node-gyp in npm_config_node_gyp for install scripts.
  const nodeGyp = process.env.npm_config_node_gyp ?? path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const gyp = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, stdio: 'inherit' });
  if (gyp.status !== 0) console.log('cnn-native: build failed (see above); training will use the WASM kernels');
  else console.log('cnn-native: built build/Release/moodlab_kernels.node');
}
