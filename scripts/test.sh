#!/usr/bin/env bash
# Install what the tests need, then run the whole suite on PostgreSQL and the non-browser suite on SQLite.
# Exits non-zero on any failure. Extra arguments go to pytest (e.g. scripts/test.sh -k api).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say() { printf '\n== %s\n' "$*"; }

# 1. Debian packages: PostgreSQL server, Chromium and its driver, the venv module, the British English dictionary
#    (spell-checking reports) and Pango (laying out PDFs).
missing=()
for pkg in postgresql chromium chromium-driver python3-venv hunspell-en-gb libpango-1.0-0 libpangoft2-1.0-0; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q "${missing[@]}" || { $SUDO apt-get update -q && $SUDO apt-get install -y -q "${missing[@]}"; }
fi

# 2. Python environment with the development dependencies.
if [ ! -x .venv/bin/python ]; then
    say "Creating .venv"
    python3 -m venv .venv
fi
say "Installing the package and its test dependencies"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'

# 3. Static checks: lint and the architecture's import contracts.
say "ruff"
.venv/bin/ruff check src tests bench
say "import contracts"
.venv/bin/lint-imports
say "mypy"
OPENPROBATION_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/openprobation-mypy.XXXXXX") .venv/bin/mypy

# 4. Tests. pytest exits 5 when it collected nothing: that is a failure here too.
export OPENPROBATION_DATA_DIR
OPENPROBATION_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/openprobation-test.XXXXXX")
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # browser tests only: Playwright's sync API runs an event loop
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}

say "Starting a throwaway PostgreSQL"
eval "$(scripts/pg_up.sh)"
cleanup() { scripts/pg_down.sh; rm -rf "$OPENPROBATION_DATA_DIR"; }
trap cleanup EXIT

status=0
say "Whole suite on PostgreSQL"
.venv/bin/pytest -q "$@" || status=$?
[ "$status" = 0 ] || echo "pytest on PostgreSQL failed (exit $status)" >&2

sqlite_status=0
say "Non-browser suite on SQLite"
env -u DATABASE_URL .venv/bin/pytest -q -m "not browser" "$@" || sqlite_status=$?
[ "$sqlite_status" = 0 ] || echo "pytest on SQLite failed (exit $sqlite_status)" >&2

if [ "$status" != 0 ] || [ "$sqlite_status" != 0 ]; then
    exit 1
fi
say "All tests passed on PostgreSQL and SQLite"
