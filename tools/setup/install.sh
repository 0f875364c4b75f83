#!/usr/bin/env bash
# Installs dependencies and generates the Prisma client. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
fi
bash tools/db/generate-client.sh >/dev/null
