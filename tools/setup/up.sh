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

# npx and next start each run the server as a grandchild: stopping one of the two stops the whole
# tree of both, so a crashed worker never leaves an orphaned dashboard holding the port.
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
pids=()
trap 'for p in "${pids[@]}"; do kill_tree "$p"; done; wait' EXIT INT TERM
# The worker exits with 75 when its code changed on disk under it (a git pull): it hands its jobs
# back first, and is started again here on the new code, where its runs resume from checkpoints.
run_worker() {
  local rc
  while :; do
    npx tsx apps/worker/src/main.ts && rc=0 || rc=$?
    [ "$rc" = 75 ] || return "$rc"
    echo "worker: the code changed on disk; starting it again"
  done
}
run_worker & pids+=($!)
bash tools/setup/start-dashboard.sh & pids+=($!)
echo "Moodlab is up: dashboard on http://${HOST:-127.0.0.1}:${PORT:-3000}, one worker. Ctrl-C to stop."
wait -n
