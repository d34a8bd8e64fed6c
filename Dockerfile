# syntax=docker/dockerfile:1
#
# One image, `agent-ledger`, for all seven services (and the migration CLI). The first argument of
# the container command selects what runs:
#
#   docker build -t agent-ledger .
#   docker run agent-ledger ingest-api          # scripts/run-service.sh ingest-api (node with the heap limit)
#   docker run agent-ledger audit-api           # ... audit-projector | escalation-worker | notifier
#                                               #     | checkpoint-witness | retention-worker
#   docker run agent-ledger migrate             # node dist/libs/persistence/src/cli/migrate.js
#   docker run agent-ledger node -e '...'       # anything else is run as given
#
# Without a command the image runs the app named by the build argument APP (default ingest-api):
#   docker build --build-arg APP=notifier -t agent-ledger-notifier .
#
# Kubernetes passes the app name as `args` (k8s/base/<app>/deployment.yaml); docker-compose.yml as
# `command`. There is no HEALTHCHECK here: the port depends on which app runs, so compose and
# Kubernetes probe each app on its own port (GET /health/live, GET /health/ready).

# Node 22, an LTS line supported until April 2027 (Node 20 reached its end of life on 30 April 2026).
# Development may run Node 20.19+ or 22 (package.json "engines"); docs/deployment.md says which
# versions are supported and what is tested on which.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- deps: the full dependency tree, only to compile ------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not needed to compile (tsc and tsc-alias are plain JavaScript).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund

# ---- build: tsc + tsc-alias into dist/ --------------------------------------------------------
FROM deps AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- runtime: production dependencies + dist/, as a non-root user -----------------------------
FROM ${NODE_IMAGE} AS runtime
ARG APP=ingest-api
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    APP=${APP} \
    SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts run here (msgpackr-extract and protobufjs are approved in package.json's
# allowScripts; @scarf/scarf's analytics are switched off by SCARF_ANALYTICS=false above).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
COPY scripts/run-service.sh ./scripts/run-service.sh

COPY --chmod=0755 <<'EOF' /usr/local/bin/agent-ledger
#!/bin/sh
# agent-ledger [ingest-api|audit-api|audit-projector|escalation-worker|notifier|checkpoint-witness|retention-worker|migrate] | <command...>
# Without arguments, runs the app named by $APP. `exec` keeps node as PID 1 so SIGTERM reaches it
# and the service drains (SHUTDOWN_TIMEOUT_MS).
set -e
if [ "$#" -eq 0 ]; then set -- "$APP"; fi
case "$1" in
  ingest-api|audit-api|audit-projector|escalation-worker|notifier|checkpoint-witness|retention-worker)
    exec sh /app/scripts/run-service.sh "$@" ;;
  migrate)
    shift
    exec node --enable-source-maps dist/libs/persistence/src/cli/migrate.js "$@" ;;
  *)
    exec "$@" ;;
esac
EOF

# The files under /app belong to root and are read-only for the service user, so the container
# runs with readOnlyRootFilesystem. A numeric user (the image's `node`, 1000) lets Kubernetes
# verify runAsNonRoot. The data directories (the witness's log, the retention worker's archives)
# belong to that user: Docker copies their owner into a new named volume mounted there (Kubernetes
# volumes get it from the pods' fsGroup instead).
RUN mkdir -p /data/witness /data/archive && chown 1000:1000 /data/witness /data/archive
USER 1000:1000
EXPOSE 3100 3200 3301 3302 3303 3304 3305
# Setting ENTRYPOINT clears the base image's CMD: no arguments means "run $APP".
ENTRYPOINT ["/usr/local/bin/agent-ledger"]
