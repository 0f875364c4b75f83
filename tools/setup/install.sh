#!/usr/bin/env bash
# Installs dependencies and generates the Prisma client. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# OpenBLAS lets the optional native convolution kernels (libs/cnn-native) build; without it,
# training runs on the WASM kernels, about 2.5x slower.
if ! ls /usr/include/*/openblas-pthread/cblas.h >/dev/null 2>&1 && [ ! -e /usr/include/openblas/cblas.h ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install: installing Debian's libopenblas-dev for the native convolution kernels"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev) >/dev/null 2>&1 \
      || echo "install: libopenblas-dev could not be installed; training will use the WASM kernels"
  else
    echo "install: OpenBLAS not found (sudo apt-get install -y libopenblas-dev); training will use the WASM kernels"
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
elif [ ! -e libs/cnn-native/build/Release/moodlab_kernels.node ]; then
  npm rebuild @moodlab/cnn-native
fi
bash tools/db/generate-client.sh >/dev/null
