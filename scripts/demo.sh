#!/usr/bin/env bash
# Set up and run OpenProbation on this machine with an embedded SQLite database and a demo caseload.
#   scripts/demo.sh [--port N] [--no-serve] [--no-worker] [--people N]
# Running it again reuses the virtual environment, the database and the demo data already there. The background
# worker (reminders, escalations, nightly recalculation) runs beside the server unless --no-worker.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=8000
SERVE=1
WORKER=1
PEOPLE=${OPENPROBATION_DEMO_PEOPLE:-2500}
while [ $# -gt 0 ]; do
    case "$1" in
        --port) PORT=${2:?--port needs a number}; shift 2 ;;
        --port=*) PORT=${1#--port=}; shift ;;
        --people) PEOPLE=${2:?--people needs a number}; shift 2 ;;
        --people=*) PEOPLE=${1#--people=}; shift ;;
        --no-serve) SERVE=0; shift ;;
        --no-worker) WORKER=0; shift ;;
        -h|--help)
            sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
            exit 0 ;;
        *) echo "scripts/demo.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
case "$PORT" in ''|*[!0-9]*) echo "scripts/demo.sh: --port must be a number" >&2; exit 2 ;; esac

if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv"
    if ! python3 -m venv .venv 2>/dev/null; then
        rm -rf .venv
        echo "Installing python3-venv (Debian)"
        if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv \
            || { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv; }
        python3 -m venv .venv
    fi
fi
if ! .venv/bin/python -c "import openprobation" 2>/dev/null || [ pyproject.toml -nt .venv/.openprobation-installed ]; then
    echo "Installing OpenProbation into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
    touch .venv/.openprobation-installed
fi

export OPENPROBATION_DEMO=true
export OPENPROBATION_HTTPS=false
export OPENPROBATION_DATA_DIR=${OPENPROBATION_DATA_DIR:-$PWD/var}
unset DATABASE_URL

.venv/bin/openprobation migrate -v 0
.venv/bin/openprobation demo-data --people "$PEOPLE" --seed 1 --no-migrate

if [ "$SERVE" = 1 ]; then
    if [ "$WORKER" = 1 ]; then
        # Messages go to the outbox (shown on each case page): nothing is sent in the demo.
        OPENPROBATION_MESSAGES_BACKEND=outbox .venv/bin/openprobation worker &
        WORKER_PID=$!
        trap 'kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true' EXIT
    fi
    .venv/bin/openprobation serve --host 127.0.0.1 --port "$PORT" --no-migrate
    exit $?
fi
echo "Demo data is ready. Start the service with: scripts/demo.sh --port $PORT"
