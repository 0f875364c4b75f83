#!/usr/bin/env bash
# The one set-up command: dependencies, services, migrations, built-in data, then the dashboard
# (http://localhost:3000) and one worker in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
bash tools/setup/install.sh
bash tools/setup/services.sh
npx tsx tools/db/migrate.ts
npx tsx tools/seed/seed.ts
(cd apps/dashboard && npx next build >/dev/null) && echo "dashboard: built"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
npx tsx apps/worker/src/main.ts & pids+=($!)
bash tools/setup/start-dashboard.sh & pids+=($!)
echo "Moodlab is up: dashboard on http://${HOST:-127.0.0.1}:${PORT:-3000}, one worker. Ctrl-C to stop."
wait -n
