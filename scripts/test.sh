#!/usr/bin/env bash
# npm test: install what is missing (the stack, Chromium for the dashboard), bring the stack up if
# needed, then typecheck, lint, and run the unit, integration and end-to-end suites against the real
# Kafka, PostgreSQL and Redis.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
source scripts/lib/env.sh

bash scripts/stack.sh up
load_stack_env
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step() { printf '\n=== %s ===\n' "$*"; }
step "build";       npm run --silent build
step "typecheck";   npm run --silent typecheck
step "lint";        npm run --silent lint
step "unit";        npx jest -c jest.unit.config.js "$@"
step "integration"; npx jest -c jest.int.config.js "$@"
step "browser";     bash scripts/browser.sh   # Debian's Chromium for the dashboard's browser test
step "python";      bash scripts/lib/python-kafka.sh   # Debian's python3-confluent-kafka for the Python example consumer's test
# LEDGER_E2E_WORKERS suites at a time (default 2, each worker on its own topics and database), then the few that
# must run alone (test/serial-suites.js).
step "end-to-end";  npx jest -c jest.e2e.config.js --passWithNoTests "$@"
step "end-to-end, one at a time"; npx jest -c jest.e2e-serial.config.js --passWithNoTests "$@"
