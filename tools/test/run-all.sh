#!/usr/bin/env bash
# The one test command: unit and integration tests (vitest, real Postgres and Redis), then the
# browser tests (Playwright driving Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
bash tools/setup/install.sh
bash tools/setup/services.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test: installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "test: /usr/bin/chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
npx tsc -p tsconfig.json --noEmit
# The dashboard has its own tsconfig (Next's plugin, the @/ alias); the root one does not cover it.
npx tsc -p apps/dashboard/tsconfig.json --noEmit
# Module boundaries and import cycles over every app, library, tool and test, .tsx included
# (.dependency-cruiser.cjs says who may import what).
npx depcruise --config .dependency-cruiser.cjs apps libs tools tests e2e
npx prettier --check --log-level warn .
npx eslint --max-warnings 0 .
npx vitest run
(cd apps/dashboard && npx next build >/dev/null) && echo "dashboard: built"
npx playwright test
