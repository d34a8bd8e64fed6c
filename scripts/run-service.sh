#!/bin/sh
# Runs one service in the foreground: `sh scripts/run-service.sh <service> [args...]`.
# npm start (scripts/start.sh), the tests and the benchmark (libs/testing's ServiceProcess) and the
# container image (/usr/local/bin/agent-ledger) all start services through this one file, so they
# run with the same Node.js flags. `exec` keeps node's PID: signals reach the service itself.
#
# LEDGER_HEAP_MB (default 160) is V8's old-space limit. Without it V8 sizes the old space from the
# machine's memory (about 4 GB on a 24 GB machine) and lets garbage pile up: the projector's live heap
# under the benchmark is about 100 MB while its RSS reached 430-490 MB (docs/performance.md).
# NODE names the node binary (default: node on PATH). LEDGER_NODE_FLAGS adds Node.js flags, e.g.
# LEDGER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench (Node refuses --cpu-prof
# in NODE_OPTIONS); unset, nothing is added.
#
# The services that answer requests (ingest-api, audit-api) run at the normal CPU priority; the
# consumers and the background workers at a lower one, LEDGER_CONSUMER_NICE (default 10; 0 keeps
# the normal priority). A consumer that gets less CPU only lags, and catches up from Kafka; an
# ingest-api or a broker starved of CPU answers 503 or nothing, and agents lose what they report.
# Where every process shares the cores (npm start, the tests, the benchmark, one machine under more
# load than it holds) the intake path keeps its share; idle CPU goes to anyone, so below that load
# nothing changes (docs/scaling.md, "CPU priority on one machine").
set -e
app="${1:-}"
case "$app" in
  ingest-api|audit-api|audit-projector|escalation-worker|notifier|checkpoint-witness|retention-worker) shift ;;
  *) echo "run-service: unknown service '$app' (ingest-api, audit-api, audit-projector, escalation-worker, notifier, checkpoint-witness, retention-worker)" >&2; exit 64 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
case "$app" in
  ingest-api|audit-api) niceness=0 ;;
  *) niceness="${LEDGER_CONSUMER_NICE:-10}" ;;
esac
case "$niceness" in
  [0-9]|1[0-9]) ;;
  *) echo "run-service: LEDGER_CONSUMER_NICE must be a whole number from 0 to 19, not '$niceness'" >&2; exit 64 ;;
esac
# `nice` execs node in turn, so the PID stays the service's.
priority=""
[ "$niceness" -eq 0 ] || priority="nice -n $niceness"
# shellcheck disable=SC2086 # LEDGER_NODE_FLAGS and $priority are lists of words: split on purpose
exec $priority "${NODE:-node}" ${LEDGER_NODE_FLAGS:-} --enable-source-maps --max-old-space-size="${LEDGER_HEAP_MB:-160}" "$root/dist/apps/$app/src/main.js" "$@"
