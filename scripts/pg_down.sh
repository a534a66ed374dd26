#!/usr/bin/env bash
# Stop and delete the cluster started by scripts/pg_up.sh (uses PGROOT, PGBIN, RUNAS from its output).
set -uo pipefail
[ -n "${PGROOT:-}" ] && [ -d "$PGROOT" ] || exit 0
cd "$PGROOT" 2>/dev/null || cd /
if [ "$(id -u)" = 0 ]; then
    runuser -u "$RUNAS" -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1
else
    "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1
fi
rm -rf "$PGROOT"
