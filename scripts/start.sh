#!/usr/bin/env bash
# npm start: install what is missing, bring the stack up, build, start the seven services, wait
# until all are ready, print their URLs, and stay in the foreground (Ctrl-C stops the services).
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
source scripts/lib/env.sh

ROOT_KEY_FROM_CALLER=${LEDGER_ROOT_KEY:+1}
bash scripts/stack.sh up
load_stack_env
npm run --silent build

SERVICES=(ingest-api audit-api audit-projector escalation-worker notifier checkpoint-witness retention-worker)
declare -A PORTS=(
  [ingest-api]=${INGEST_API_PORT:-3100} [audit-api]=${AUDIT_API_PORT:-3200}
  [audit-projector]=${AUDIT_PROJECTOR_PORT:-3301} [escalation-worker]=${ESCALATION_WORKER_PORT:-3302}
  [notifier]=${NOTIFIER_PORT:-3303} [checkpoint-witness]=${CHECKPOINT_WITNESS_PORT:-3304}
  [retention-worker]=${RETENTION_WORKER_PORT:-3305}
)
export NODE_ENV=${NODE_ENV:-development}
mkdir -p .stack/logs
PIDS=()

stop_services() {
  trap - INT TERM EXIT
  echo
  echo "stopping services..."
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "services stopped (the stack keeps running; 'bash scripts/stack.sh down' stops it)"
}
trap stop_services INT TERM EXIT

for svc in "${SERVICES[@]}"; do
  # Each service logs JSON lines to .stack/logs/<service>.log and a prefixed copy to this terminal.
  # Each connects as its own database role (the owner's DATABASE_URL is for migrations only).
  DATABASE_URL=$(service_database_url "$svc") \
    sh scripts/run-service.sh "$svc" > >(tee -a ".stack/logs/$svc.log" | sed -u "s/^/[$svc] /") 2>&1 &
  PIDS+=($!)
done

deadline=$((SECONDS + 120))
for svc in "${SERVICES[@]}"; do
  url="http://127.0.0.1:${PORTS[$svc]}/health/ready"
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if [ $SECONDS -gt $deadline ]; then echo "$svc did not become ready: $url" >&2; exit 1; fi
    sleep 0.5
  done
done

echo
echo "all 7 services ready"
echo "  ingest-api         http://127.0.0.1:${PORTS[ingest-api]}   (POST /v1/events)"
echo "  audit-api          http://127.0.0.1:${PORTS[audit-api]}   (dashboard at /, API under /v1)"
echo "  audit-projector    http://127.0.0.1:${PORTS[audit-projector]}/health/ready"
echo "  escalation-worker  http://127.0.0.1:${PORTS[escalation-worker]}/health/ready"
echo "  notifier           http://127.0.0.1:${PORTS[notifier]}/health/ready"
echo "  checkpoint-witness http://127.0.0.1:${PORTS[checkpoint-witness]}   (GET /v1/checkpoints/<tenantId>, store in ${WITNESS_DIR:-.stack/witness})"
echo "  retention-worker   http://127.0.0.1:${PORTS[retention-worker]}/health/ready   (archives in ${ARCHIVE_DIR:-.stack/archive}; docs/retention.md)"
if [ -z "${ROOT_KEY_FROM_CALLER:-}" ]; then
  echo "  root key: LEDGER_ROOT_KEY=$LEDGER_ROOT_KEY   (generated once, kept in .stack/secrets.env)"
fi
echo "Ctrl-C stops the services."
wait -n "${PIDS[@]}" || true
echo "a service exited; stopping the others" >&2
exit 1
