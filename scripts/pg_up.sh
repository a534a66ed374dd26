#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for tests and benchmarks; print the variables to use it.
# Usage: eval "$(scripts/pg_up.sh)"   ...   scripts/pg_down.sh
# Works as root: the server runs as the unprivileged "postgres" user. fsync is off: for tests only.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "scripts/pg_up.sh: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
    exit 1
fi
RUNAS=${RUNAS:-postgres}
if [ "$(id -u)" = 0 ]; then
    id "$RUNAS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUNAS"
    run() { runuser -u "$RUNAS" -- "$@"; }
else
    RUNAS=$(id -un)
    run() { "$@"; }
fi
PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/openprobation-pg.XXXXXX")
chmod 755 "$PGROOT"
mkdir -p "$PGROOT/data" "$PGROOT/sock"
[ "$(id -u)" = 0 ] && chown -R "$RUNAS": "$PGROOT"
cd "$PGROOT"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$PGROOT/initdb.log" 2>&1 || { cat "$PGROOT/initdb.log" >&2; exit 1; }
run "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 \
    -o "-p $PORT -k $PGROOT/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null || { cat "$PGROOT/server.log" >&2; exit 1; }
echo "export PGROOT=$PGROOT PGBIN=$PGBIN RUNAS=$RUNAS PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres"
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
