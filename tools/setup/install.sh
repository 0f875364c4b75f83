#!/usr/bin/env bash
# Installs dependencies and generates the Prisma client. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# The optional native kernels (libs/cnn-native) load OpenBLAS (libopenblas0) and oneDNN
# (libdnnl2; its headers, libdnnl-dev, at build time) at run time, and pick their kernels from the
# CPU's flags. Without OpenBLAS training runs on the WASM kernels, about 4x slower; without oneDNN
# every convolution runs on OpenBLAS, up to 1.3x slower.
apt_install() { # package, what is missing, what runs without it
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install: installing Debian's $1 ($2)"
    # Waits for another apt (an unattended upgrade, a second set-up) instead of failing on its lock.
    (apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$1") >/dev/null 2>&1 \
      || { echo "install: $1 could not be installed; $3"; return 1; }
  else
    echo "install: $2 (sudo apt-get install -y $1); $3"
    return 1
  fi
}
# grep without -q reads all of ldconfig's list: with -q it stops early, ldconfig dies of SIGPIPE,
# and pipefail then took an installed OpenBLAS for a missing one.
if ! ldconfig -p 2>/dev/null | grep 'libopenblas\.so\.0' >/dev/null; then
  apt_install libopenblas0 "OpenBLAS not found" "training will use the WASM kernels" || true
fi
rebuild_native=0
if [ ! -e /usr/include/oneapi/dnnl/dnnl.h ]; then
  apt_install libdnnl-dev "oneDNN's headers not found" "convolutions will run on OpenBLAS" && rebuild_native=1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
elif [ ! -e libs/cnn-native/build/Release/moodlab_kernels.node ] || [ "$rebuild_native" = 1 ]; then
  npm rebuild @moodlab/cnn-native
fi
bash tools/db/generate-client.sh >/dev/null
