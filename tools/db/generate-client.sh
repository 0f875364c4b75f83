#!/usr/bin/env bash
# Generates the Prisma client into libs/db/src/generated. `prisma generate` never runs the
# schema engine but insists that its binary exists; where it could not be downloaded we point
# it at a placeholder so generation works offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ] && ! ls node_modules/@prisma/engines/schema-engine-* >/dev/null 2>&1; then
  export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/tools/db/schema-engine-placeholder"
fi
npx --no-install prisma generate
