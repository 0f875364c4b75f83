#!/usr/bin/env bash
# Installs dependencies and generates the Prisma client. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# OpenBLAS runs the optional native kernels (libs/cnn-native), which load it at run time with the
# kernels this CPU's flags allow; without it, training runs on the WASM kernels, about 4x slower.
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install: installing Debian's libopenblas0 for the native kernels"
    # Waits for another apt (an unattended upgrade, a second set-up) instead of failing on its lock.
    (apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq libopenblas0) >/dev/null 2>&1 \
      || echo "install: libopenblas0 could not be installed; training will use the WASM kernels"
  else
    echo "install: OpenBLAS not found (sudo apt-get install -y libopenblas0); training will use the WASM kernels"
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
elif [ ! -e libs/cnn-native/build/Release/moodlab_kernels.node ]; then
  npm rebuild @moodlab/cnn-native
fi
bash tools/db/generate-client.sh >/dev/null
