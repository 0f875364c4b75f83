// Builds the native kernels when a C++ toolchain is present. It never fails the install: without
// one, training runs on the WASM kernels and says so in its log. OpenBLAS is not needed here: the
// kernels load it at run time (src/blas.h says why).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

if (process.env.MOODLAB_NATIVE_KERNELS === '0') {
  console.log('cnn-native: skipped (MOODLAB_NATIVE_KERNELS=0)');
} else {
  // npm puts its bundled node-gyp in npm_config_node_gyp for install scripts.
  const nodeGyp =
    process.env.npm_config_node_gyp ??
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    );
  const gyp = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, stdio: 'inherit' });
  if (gyp.status !== 0)
    console.log('cnn-native: build failed (see above; it needs g++); training will use the WASM kernels');
  else console.log('cnn-native: built build/Release/moodlab_kernels.node');
}
