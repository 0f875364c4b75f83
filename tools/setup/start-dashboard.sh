#!/usr/bin/env bash
# Starts the built dashboard on HOST:PORT (default 127.0.0.1:3000). Every action that changes
# state or reads server files is open when ADMIN_PASSWORD is unset, so the dashboard listens
# beyond this machine only with a password (docs/configuration.md).
set -euo pipefail
cd "$(dirname "$0")/../../apps/dashboard"
host="${HOST:-127.0.0.1}" port="${PORT:-3000}"
case "$host" in
  127.*|localhost|::1) ;;
  *)
    if [ -z "${ADMIN_PASSWORD:-}" ] && [ "${DASHBOARD_OPEN_WITHOUT_PASSWORD:-}" != 1 ]; then
      echo "dashboard: refusing to listen on $host without ADMIN_PASSWORD (anyone who reaches it could start runs and import server folders); set ADMIN_PASSWORD, or HOST=127.0.0.1" >&2
      exit 1
    fi
    ;;
esac
exec npx next start -H "$host" -p "$port"
