#!/usr/bin/env bash
# Local infrastructure of agent-ledger, without Docker:
#   Kafka 3.9 (KRaft, one node)  127.0.0.1:9092   jars from Maven Central, data in .stack/kafka/data
#                                127.0.0.1:9094   SASL_SSL (PLAIN, SCRAM-SHA-256/512), 9095 mutual TLS;
#                                                 CA and certificates generated into .stack/kafka/tls
#   PostgreSQL                   127.0.0.1:5432   databases agent_ledger and agent_ledger_test
#   Redis (persistent, own)      127.0.0.1:6380   append-only file in .stack/redis
#   S3Proxy (S3 API over files)  127.0.0.1:9310   jar from Maven Central, bucket agent-ledger-archive in .stack/s3proxy/data
#
#   bash scripts/stack.sh up                 start what is not running (idempotent), create topics
#                                            and databases, build + migrate, write .stack/env
#   bash scripts/stack.sh down               stop what this script started (data is kept)
#   bash scripts/stack.sh status             one line per component; exit 0 only if all are up
#   bash scripts/stack.sh build              npm run build, only if a source is newer than dist/
#   bash scripts/stack.sh logs [-f] [kafka|redis|postgres|s3proxy]
#   bash scripts/stack.sh stop kafka|s3proxy | start kafka|s3proxy   one component (drills, tests)
#
# Connection settings the caller already exported (KAFKA_BROKERS, DATABASE_URL, TEST_DATABASE_URL,
# REDIS_URL) win over the local defaults; a setting that points elsewhere is only checked for
# reachability, never started. Details and the reasoning: docs/local-stack.md.

# Sourcing this file would put `set -e` and `exit` into the caller's shell: refuse.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  echo "scripts/stack.sh is a command, not a library: run 'bash scripts/stack.sh up|down|status|logs'" >&2
  return 1
fi
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---------------------------------------------------------------------------------------------
# Configuration (the one place for topics, ports and tunables)
# ---------------------------------------------------------------------------------------------

# Topics as name:partitions; replication factor 1 (one broker). `up` creates a missing topic with
# its count and raises an existing one that has fewer (never lowers: Kafka cannot), so raising a
# count here is the local form of the procedure in docs/scaling.md, "Adding partitions". Names start
# with KAFKA_TOPIC_PREFIX when it is set (a ledger sharing the broker; README, Configuration).
TOPICS=(
  "${KAFKA_TOPIC_PREFIX:-}agent-ledger.action-events.v1:${ACTION_EVENTS_PARTITIONS:-12}"
  "${KAFKA_TOPIC_PREFIX:-}agent-ledger.action-events.dlq.v1:3"
  "${KAFKA_TOPIC_PREFIX:-}agent-ledger.escalations.v1:${ESCALATIONS_PARTITIONS:-12}"
  "${KAFKA_TOPIC_PREFIX:-}agent-ledger.escalations.dlq.v1:3"
  "${KAFKA_TOPIC_PREFIX:-}agent-ledger.checkpoints.v1:1"
)
TOPIC_REPLICATION_FACTOR=1

KAFKA_PORT=${LEDGER_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${LEDGER_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_SASL_PORT=${LEDGER_KAFKA_SASL_PORT:-9094} # SASL_SSL listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
KAFKA_MTLS_PORT=${LEDGER_KAFKA_MTLS_PORT:-9095} # SSL listener that requires a client certificate
# The local SASL user (PLAIN and SCRAM) and the broker keystore's password: fixed, local only,
# written to .stack/env for the tests (and refused in production, libs/config development-secrets).
KAFKA_SASL_USER=ledger_client
KAFKA_SASL_PASSWORD=local-dev-kafka-password
KAFKA_KEYSTORE_PASSWORD=local-dev-keystore-password
KAFKA_HEAP=${LEDGER_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_START_TIMEOUT=${LEDGER_KAFKA_START_TIMEOUT:-90} # seconds until the broker must serve metadata
KAFKA_STOP_TIMEOUT=30                                 # seconds after SIGTERM before SIGKILL
REDIS_PORT=${LEDGER_REDIS_PORT:-6380}
S3PROXY_PORT=${LEDGER_S3PROXY_PORT:-9310}
S3PROXY_HEAP=${LEDGER_S3PROXY_HEAP_OPTS:--Xms32m -Xmx192m}
S3PROXY_START_TIMEOUT=60 # seconds until S3Proxy must accept connections
# S3Proxy's one bucket and its fixed local credentials (for the tests; written to .stack/env).
S3PROXY_BUCKET=agent-ledger-archive
S3PROXY_IDENTITY=local-identity
S3PROXY_CREDENTIAL=local-credential
S3PROXY_ENDPOINT="http://127.0.0.1:$S3PROXY_PORT"
PG_HOST=127.0.0.1
PG_PORT=5432

# Defaults of the connection settings written to .stack/env.
DEFAULT_KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
DEFAULT_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/agent_ledger"
DEFAULT_TEST_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/agent_ledger_test"
DEFAULT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

# Effective settings: the caller's environment first.
KAFKA_BROKERS=${KAFKA_BROKERS:-$DEFAULT_KAFKA_BROKERS}
DATABASE_URL=${DATABASE_URL:-$DEFAULT_DATABASE_URL}
TEST_DATABASE_URL=${TEST_DATABASE_URL:-$DEFAULT_TEST_DATABASE_URL}
REDIS_URL=${REDIS_URL:-$DEFAULT_REDIS_URL}

# Paths (all absolute: the broker and redis-server run detached from this directory).
INFRA_DIR="$ROOT_DIR/infra/kafka"
STACK_DIR="$ROOT_DIR/.stack"
RUN_DIR="$STACK_DIR/run"
KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_JARS="$KAFKA_DIR/jars"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_TLS_DIR="$KAFKA_DIR/tls"
KAFKA_LOG="$KAFKA_DIR/kafka.log"
KAFKA_PID_FILE="$RUN_DIR/kafka.pid"
REDIS_DIR="$STACK_DIR/redis"
REDIS_LOG="$REDIS_DIR/redis.log"
REDIS_PID_FILE="$RUN_DIR/redis.pid"
S3PROXY_INFRA_DIR="$ROOT_DIR/infra/s3proxy"
S3PROXY_DIR="$STACK_DIR/s3proxy"
S3PROXY_JARS="$S3PROXY_DIR/jars"
S3PROXY_DATA="$S3PROXY_DIR/data"
S3PROXY_PROPS="$S3PROXY_DIR/s3proxy.conf"
S3PROXY_LOG="$S3PROXY_DIR/s3proxy.log"
S3PROXY_PID_FILE="$RUN_DIR/s3proxy.pid"
PG_MARKER="$RUN_DIR/postgres.started" # exists only if this script started PostgreSQL
ENV_FILE="$STACK_DIR/env"

# JVM options: the broker (Kafka's own performance flags, small heap, console logging) and the
# short-lived tools (client JIT only and serial GC: they start in about half a second).
read -r -a KAFKA_HEAP_ARGS <<<"$KAFKA_HEAP"
KAFKA_JAVA_OPTS=("${KAFKA_HEAP_ARGS[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$INFRA_DIR/log4j.properties")
TOOL_JAVA_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$INFRA_DIR/tools-log4j.properties")
# S3Proxy: small heap, serial GC; logback's own start-up chatter off (S3Proxy's log lines stay).
read -r -a S3PROXY_HEAP_ARGS <<<"$S3PROXY_HEAP"
S3PROXY_JAVA_OPTS=("${S3PROXY_HEAP_ARGS[@]}" -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
  -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener)
TOPIC_TOOL=org.apache.kafka.tools.TopicCommand # kafka-topics.sh in 3.9 (module kafka-tools)
STORAGE_TOOL=kafka.tools.StorageTool           # kafka-storage.sh (in kafka_2.13)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

say() { printf '%-10s %s\n' "$1" "$2"; }      # one result line per component
die() { echo "stack.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
since() { # elapsed time since a now_ms value, e.g. "2.3 s" or "40 ms"
  local ms=$(($(now_ms) - $1))
  if [ $ms -lt 1000 ]; then printf '%d ms' $ms; else printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); fi
}

# TCP connect test, 1 s timeout, no extra tools needed.
# shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
port_open() { timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }

# Pid from a pid file if that process is alive AND its command line contains $2 (a recycled pid
# must never be signalled). Prints the pid; fails otherwise.
live_pid() {
  local file=$1 pattern=$2 pid
  [ -s "$file" ] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

# Stop a process: SIGTERM, wait up to $3 s, then SIGKILL. Prints how it ended.
stop_pid() {
  local pid=$1 timeout=$2 start
  start=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ $(($(now_ms) - start)) -ge $((timeout * 1000)) ]; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      echo "killed (SIGKILL: no clean exit within $timeout s of SIGTERM)"
      return 0
    fi
    sleep 0.2
  done
  echo "stopped (clean exit $(since "$start") after SIGTERM)"
}

# The detached daemons' launcher (bash -c "$DETACHED_EXEC" pidfile command...): writes its own pid,
# closes every descriptor above 2 it inherited (a lock the caller holds, such as the fd of
# `flock /tmp/x.lock bash scripts/stack.sh ...`, would otherwise be held for the daemon's life),
# then execs the command.
# shellcheck disable=SC2016 # expanded by the inner bash
DETACHED_EXEC='echo $$ >"$0"; for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@"'

is_local() { [ "$1" = "$2" ]; } # a setting equal to its default means: the local stack manages it

host_of() { local hp=${1#*://}; hp=${hp#*@}; hp=${hp%%/*}; echo "${hp%:*}"; }
port_of() { local hp=${1#*://}; hp=${hp#*@}; hp=${hp%%/*}; [[ "$hp" == *:* ]] && echo "${hp##*:}" || echo "$2"; }
db_of() { local p=${1#*://}; p=${p#*/}; echo "${p%%\?*}"; }

# shellcheck source=scripts/lib/apt.sh
. "$ROOT_DIR/scripts/lib/apt.sh"

# shellcheck source=scripts/lib/kafka-security.sh
. "$ROOT_DIR/scripts/lib/kafka-security.sh"

# shellcheck source=scripts/lib/kafka-partitions.sh
. "$ROOT_DIR/scripts/lib/kafka-partitions.sh"

# ---------------------------------------------------------------------------------------------
# Jars from Maven Central (Kafka, S3Proxy)
# ---------------------------------------------------------------------------------------------

# A jar set is complete when Maven finished copying it for the current pom.xml and every jar it
# copied is still there. Stamp file .complete: the pom's sha256, then one jar name per line.
pom_stamp() { sha256sum "$1/pom.xml" | cut -d' ' -f1; } # infra dir
jars_complete() { # jars dir, infra dir
  local stamp="$1/.complete" hash jar
  [ -f "$stamp" ] || return 1
  { read -r hash && [ "$hash" = "$(pom_stamp "$2")" ] || return 1
    while read -r jar; do [ -f "$1/$jar" ] || return 1; done; } <"$stamp"
}

# Copies the runtime jars of <infra dir>/pom.xml into <jars dir> (through <jars dir>.partial,
# renamed once complete) and fails unless a jar starts with each of the given names.
fetch_jars() { # what, infra dir, jars dir, required jar name prefixes...
  local what=$1 infra=$2 jars=$3 tmp="$3.partial" out start required
  shift 3
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the $what jars: apt-get install -y maven"
  start=$(now_ms)
  rm -rf "$tmp"
  mkdir -p "$(dirname "$jars")"
  echo "fetching $what jars with Maven (${infra#"$ROOT_DIR/"}/pom.xml)..." >&2
  # -q: only errors; they go to stdout, so capture both streams and show them on failure.
  if ! out=$(cd "$infra" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1); then
    # shellcheck disable=SC2001 # Debian's mvn prints colour resets even with -B: strip them
    sed 's/\x1b\[[0-9;]*m//g' <<<"$out" >&2
    rm -rf "$tmp"
    die "Maven could not resolve the $what jars (Maven's output above)"
  fi
  { pom_stamp "$infra"; (cd "$tmp" && ls -- *.jar); } >"$tmp/.complete"
  for required in "$@"; do
    grep -q "^$required" "$tmp/.complete" || die "Maven succeeded but $required*.jar is missing from $tmp"
  done
  rm -rf "$jars"
  mv "$tmp" "$jars"
  say jars "fetched $(find "$jars" -name '*.jar' | wc -l) jars in $(since "$start") -> ${jars#"$ROOT_DIR/"}"
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------

kafka_tool() { java "${TOOL_JAVA_OPTS[@]}" -cp "$KAFKA_JARS/*" "$@"; }

ensure_kafka_jars() {
  command -v java >/dev/null || die "Java 17+ is needed for Kafka: apt-get install -y openjdk-17-jre-headless"
  # The broker and the logging binding must be there (without one the broker logs nothing).
  jars_complete "$KAFKA_JARS" "$INFRA_DIR" || fetch_jars Kafka "$INFRA_DIR" "$KAFKA_JARS" kafka_2.13- slf4j-reload4j-
}

render_server_properties_to_stdout() {
  # Placeholders are replaced outside comment lines only.
  sed -e "1i # GENERATED by scripts/stack.sh from infra/kafka/server.properties.template at every start." \
    -e "/^#/!s#@DATA_DIR@#$KAFKA_DATA#g" -e "/^#/!s#@KAFKA_PORT@#$KAFKA_PORT#g" \
    -e "/^#/!s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    -e "/^#/!s#@SASL_PORT@#$KAFKA_SASL_PORT#g" -e "/^#/!s#@MTLS_PORT@#$KAFKA_MTLS_PORT#g" \
    -e "/^#/!s#@TLS_DIR@#$KAFKA_TLS_DIR#g" -e "/^#/!s#@KEYSTORE_PASSWORD@#$KAFKA_KEYSTORE_PASSWORD#g" \
    -e "/^#/!s#@SASL_USER@#$KAFKA_SASL_USER#g" -e "/^#/!s#@SASL_PASSWORD@#$KAFKA_SASL_PASSWORD#g" \
    "$INFRA_DIR/server.properties.template"
}

render_server_properties() { render_server_properties_to_stdout >"$KAFKA_PROPS"; }

# Formats the KRaft storage once; afterwards the data (and the cluster id) is kept.
format_kafka_storage_once() {
  [ -f "$KAFKA_DATA/meta.properties" ] && return 0
  local cluster_id out
  # A cluster id is 16 random bytes, URL-safe base64 without padding (what `random-uuid` prints);
  # it must not start with '-' (it would be parsed as an option).
  cluster_id=-
  while [[ "$cluster_id" == -* ]]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  mkdir -p "$KAFKA_DATA"
  out=$(kafka_tool "$STORAGE_TOOL" format --cluster-id "$cluster_id" --config "$KAFKA_PROPS" 2>&1) ||
    { echo "$out" >&2; die "formatting the Kafka storage in $KAFKA_DATA failed"; }
  echo "$cluster_id" >"$KAFKA_DIR/cluster.id"
  say kafka "formatted ${KAFKA_DATA#"$ROOT_DIR/"} (cluster id $cluster_id)"
}

# Waits until the broker logged "Kafka Server started" and answers a topic listing.
wait_kafka_ready() {
  local pid=$1 deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$KAFKA_LOG" >&2 || true
      die "Kafka exited during startup (last lines of ${KAFKA_LOG#"$ROOT_DIR/"} above)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -n 40 "$KAFKA_LOG" >&2; die "Kafka did not start within $KAFKA_START_TIMEOUT s"; }
    sleep 0.25
  done
  until kafka_tool "$TOPIC_TOOL" --bootstrap-server "$KAFKA_BROKERS" --list >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "Kafka logged 'started' but does not list topics within $KAFKA_START_TIMEOUT s"
    sleep 0.5
  done
}

start_kafka() {
  local start pid
  start=$(now_ms)
  ensure_kafka_jars
  mkdir -p "$KAFKA_DIR" "$RUN_DIR"
  ensure_kafka_tls # the broker's keystore must exist before it starts
  render_server_properties
  format_kafka_storage_once
  # A fresh log per start (readiness is detected in it); the previous one is kept as .1.
  [ -f "$KAFKA_LOG" ] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  rm -f "$KAFKA_PID_FILE"
  # setsid + nohup: the broker gets its own session and ignores SIGHUP, so it outlives this shell
  # and a closed terminal. The inner bash writes its own pid (exec keeps it for java), which is
  # exact whether or not setsid had to fork. 9>&- : the broker must not inherit the stack lock, and
  # DETACHED_EXEC closes every other inherited descriptor (e.g. a caller's `flock <file> stack.sh`).
  setsid nohup bash -c "$DETACHED_EXEC" "$KAFKA_PID_FILE" \
    java "${KAFKA_JAVA_OPTS[@]}" -cp "$KAFKA_JARS/*" kafka.Kafka "$KAFKA_PROPS" \
    >"$KAFKA_LOG" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 100); do [ -s "$KAFKA_PID_FILE" ] && break; sleep 0.05; done
  [ -s "$KAFKA_PID_FILE" ] || die "the Kafka process did not start (see ${KAFKA_LOG#"$ROOT_DIR/"})"
  pid=$(<"$KAFKA_PID_FILE")
  wait_kafka_ready "$pid"
  say kafka "started in $(since "$start") (pid $pid, $KAFKA_BROKERS, log ${KAFKA_LOG#"$ROOT_DIR/"})"
}

ensure_kafka() {
  if ! is_local "$KAFKA_BROKERS" "$DEFAULT_KAFKA_BROKERS"; then
    local b ok=
    for b in ${KAFKA_BROKERS//,/ }; do port_open "${b%:*}" "${b##*:}" && ok=1 && break; done
    [ -n "$ok" ] || die "KAFKA_BROKERS=$KAFKA_BROKERS: no broker reachable"
    say kafka "external, reachable ($KAFKA_BROKERS)"
    return
  fi
  local pid
  if port_open 127.0.0.1 "$KAFKA_PORT"; then
    if pid=$(live_pid "$KAFKA_PID_FILE" "$KAFKA_PROPS"); then
      say kafka "already running (pid $pid, $KAFKA_BROKERS)"
      ensure_kafka_tls
      warn_kafka_config_changed
    else
      say kafka "already running ($KAFKA_BROKERS, not started by this script)"
    fi
    ensure_kafka_jars # the topic tool needs them
  elif pid=$(live_pid "$KAFKA_PID_FILE" "$KAFKA_PROPS"); then
    # Ours but not listening yet: still starting (or stuck); give it the startup timeout.
    ensure_kafka_jars
    wait_kafka_ready "$pid"
    say kafka "already running, now ready (pid $pid, $KAFKA_BROKERS)"
  else
    start_kafka
  fi
}

# Creates the missing topics (one describe, then one create per missing topic) and raises existing
# ones below their configured partition count (scripts/lib/kafka-partitions.sh).
ensure_topics() {
  if ! is_local "$KAFKA_BROKERS" "$DEFAULT_KAFKA_BROKERS"; then
    say topics "not managed on external Kafka (node dist/libs/kafka/src/cli/ensure-topics.js creates them)"
    return
  fi
  local existing spec name partitions current out result created=() raised=()
  existing=$(topic_partition_counts "$KAFKA_BROKERS") || die "describing the Kafka topics failed (output above)"
  for spec in "${TOPICS[@]}"; do
    name=${spec%:*} partitions=${spec##*:}
    current=$(awk -v t="$name" '$1 == t { print $2 }' <<<"$existing")
    if [ -n "$current" ]; then
      result=$(raise_partitions "$KAFKA_BROKERS" "$name" "$current" "$partitions") || exit 1
      [[ "$result" == raised* ]] && raised+=("$name(${result#raised })")
      continue
    fi
    out=$(kafka_tool "$TOPIC_TOOL" --bootstrap-server "$KAFKA_BROKERS" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor "$TOPIC_REPLICATION_FACTOR" 2>&1) ||
      { echo "$out" >&2; die "creating topic $name failed"; }
    created+=("$name($partitions)")
  done
  [ ${#raised[@]} -gt 0 ] && say topics "raised ${raised[*]} (consumers: restart them first, then producers; docs/scaling.md)"
  if [ ${#created[@]} -gt 0 ]; then
    say topics "created ${created[*]}; ${#TOPICS[@]} of ${#TOPICS[@]} present"
  else
    say topics "already present (${#TOPICS[@]})"
  fi
}

stop_kafka() {
  local pid
  if pid=$(live_pid "$KAFKA_PID_FILE" "$KAFKA_PROPS"); then
    say kafka "$(stop_pid "$pid" "$KAFKA_STOP_TIMEOUT") (pid $pid; data kept in ${KAFKA_DATA#"$ROOT_DIR/"})"
    rm -f "$KAFKA_PID_FILE"
  elif port_open 127.0.0.1 "$KAFKA_PORT"; then
    say kafka "left running (127.0.0.1:$KAFKA_PORT was not started by this script)"
  else
    rm -f "$KAFKA_PID_FILE"
    say kafka "not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

pg_ready() { # host port
  if command -v pg_isready >/dev/null; then pg_isready -q -h "$1" -p "$2" -t 2; else port_open "$1" "$2"; fi
}

pg_cluster_version() { find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1 || true; }

# Debian packages + a trust rule for loopback connections (local development only).
install_postgres() {
  apt_install postgresql
  local ver hba tmp
  ver=$(pg_cluster_version)
  [ -n "$ver" ] || die "postgresql was installed but /etc/postgresql has no version directory"
  [ -d "/etc/postgresql/$ver/main" ] || pg_createcluster "$ver" main >/dev/null
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  if ! grep -q 'agent-ledger stack.sh' "$hba"; then
    tmp=$(mktemp)
    { echo "# agent-ledger stack.sh: trust on loopback (local development machine only)"
      echo "local   all  all                 trust"
      echo "host    all  all  127.0.0.1/32   trust"
      echo "host    all  all  ::1/128        trust"
      cat "$hba"; } >"$tmp"
    cat "$tmp" >"$hba" # keeps owner and mode of pg_hba.conf
    rm -f "$tmp"
  fi
  # If the package's maintainer script started the cluster, make it read the new rules.
  pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >/dev/null 2>&1 9>&- || true
}

start_postgres() {
  local ver out deadline
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(pg_cluster_version)" ]; then install_postgres; fi
  ver=$(pg_cluster_version)
  if ! pg_ready "$PG_HOST" "$PG_PORT"; then
    out=$(pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>&1 9>&-) ||
      { echo "$out" >&2; die "pg_ctlcluster $ver main start failed (see also /var/log/postgresql/postgresql-$ver-main.log)"; }
    echo "$ver main" >"$PG_MARKER" # down stops it again
  fi
  deadline=$((SECONDS + 30))
  until pg_ready "$PG_HOST" "$PG_PORT"; do
    [ $SECONDS -lt $deadline ] || die "PostgreSQL $ver did not accept connections on $PG_HOST:$PG_PORT within 30 s"
    sleep 0.5
  done
}

psql_admin() { psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

ensure_database() { # name; sets DB_STATE to "created" or "present" (no subshell: die must exit)
  local db=$1 out
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ]; then
    DB_STATE=present
  elif out=$(psql_admin -c "CREATE DATABASE \"$db\"" 2>&1); then
    DB_STATE=created
  elif [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ]; then
    DB_STATE=present # created concurrently by someone else
  else
    echo "$out" >&2
    die "could not create database $db on $PG_HOST:$PG_PORT"
  fi
}

ensure_postgres() {
  local url var def status dbs=() external=()
  for var in DATABASE_URL TEST_DATABASE_URL; do
    url=${!var}
    def="DEFAULT_$var"
    if [ "$url" = "${!def}" ]; then dbs+=("$(db_of "$url")"); else external+=("$var"); fi
  done
  for var in "${external[@]}"; do
    url=${!var}
    if command -v pg_isready >/dev/null; then
      pg_isready -q -d "$url" -t 5 || die "$var: PostgreSQL at $(host_of "$url"):$(port_of "$url" 5432) is not accepting connections"
    else
      port_open "$(host_of "$url")" "$(port_of "$url" 5432)" || die "$var: $(host_of "$url") is not reachable"
    fi
    say postgres "external, reachable ($var -> $(host_of "$url"):$(port_of "$url" 5432)/$(db_of "$url"))"
  done
  [ ${#dbs[@]} -gt 0 ] || return 0

  if pg_ready "$PG_HOST" "$PG_PORT"; then
    if [ -f "$PG_MARKER" ]; then status="already running, started by this script"; else status="already running"; fi
  else
    local start
    start=$(now_ms)
    start_postgres
    status="started in $(since "$start")"
  fi
  local db parts=()
  for db in "${dbs[@]}"; do
    ensure_database "$db"
    parts+=("$db $DB_STATE")
  done
  local IFS=,
  say postgres "$status ($PG_HOST:$PG_PORT; databases:${parts[*]/#/ })"
}

stop_postgres() {
  if [ -f "$PG_MARKER" ]; then
    local ver cluster out
    read -r ver cluster <"$PG_MARKER"
    if out=$(pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" stop 2>&1); then
      say postgres "stopped ($ver/$cluster, had been started by this script)"
    else
      echo "$out" >&2
      say postgres "stop failed ($ver/$cluster)"
    fi
    rm -f "$PG_MARKER"
  else
    say postgres "left running (not started by this script)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Redis (own persistent instance; the machine's Redis on 6379 does not persist)
# ---------------------------------------------------------------------------------------------

redis_cli_local() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

start_redis() {
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then apt_install redis-server; fi
  mkdir -p "$REDIS_DIR" "$RUN_DIR"
  rm -f "$REDIS_PID_FILE"
  local out deadline
  # Append-only file fsynced every second: queued BullMQ jobs and escalation timers survive a
  # restart. noeviction: Redis answers errors when full instead of silently dropping jobs.
  out=$(redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
    --appendonly yes --appendfsync everysec --dir "$REDIS_DIR" --maxmemory-policy noeviction \
    --daemonize yes --pidfile "$REDIS_PID_FILE" --logfile "$REDIS_LOG" 2>&1 9>&-) ||
    { echo "$out" >&2; die "redis-server failed to start (see ${REDIS_LOG#"$ROOT_DIR/"})"; }
  # PING answers PONG once the append-only file is loaded (LOADING before).
  deadline=$((SECONDS + 60))
  until [ "$(redis_cli_local ping 2>/dev/null)" = PONG ]; do
    [ $SECONDS -lt $deadline ] || { tail -n 20 "$REDIS_LOG" >&2 || true; die "Redis did not answer PING on 127.0.0.1:$REDIS_PORT within 60 s"; }
    sleep 0.2
  done
}

ensure_redis() {
  if ! is_local "$REDIS_URL" "$DEFAULT_REDIS_URL"; then
    command -v redis-cli >/dev/null || apt_install redis-tools
    [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = PONG ] || die "REDIS_URL=$REDIS_URL does not answer PING"
    local aof note=""
    aof=$(redis-cli -u "$REDIS_URL" config get appendonly 2>/dev/null | tail -n 1) || true
    [ "$aof" = no ] && note="; WARNING appendonly no: queued jobs and timers are lost when it restarts"
    say redis "external, reachable ($REDIS_URL$note)"
    return
  fi
  local pid start aof
  if command -v redis-cli >/dev/null && [ "$(redis_cli_local ping 2>/dev/null)" = PONG ]; then
    aof=$(redis_cli_local config get appendonly | tail -n 1)
    [ "$aof" = yes ] || die "a Redis WITHOUT persistence (appendonly=$aof) already listens on 127.0.0.1:$REDIS_PORT: stop it, or set LEDGER_REDIS_PORT"
    if pid=$(live_pid "$REDIS_PID_FILE" "redis-server 127.0.0.1:$REDIS_PORT"); then
      say redis "already running (pid $pid, $REDIS_URL, appendonly yes)"
    else
      say redis "already running ($REDIS_URL, appendonly yes, not started by this script)"
    fi
  else
    start=$(now_ms)
    start_redis
    say redis "started in $(since "$start") (pid $(<"$REDIS_PID_FILE"), $REDIS_URL, appendonly yes, dir ${REDIS_DIR#"$ROOT_DIR/"})"
  fi
}

stop_redis() {
  local pid
  if pid=$(live_pid "$REDIS_PID_FILE" "redis-server 127.0.0.1:$REDIS_PORT"); then
    # SIGTERM: Redis fsyncs the append-only file and exits.
    say redis "$(stop_pid "$pid" 30) (pid $pid; data kept in ${REDIS_DIR#"$ROOT_DIR/"})"
    rm -f "$REDIS_PID_FILE"
  elif port_open 127.0.0.1 "$REDIS_PORT"; then
    say redis "left running (127.0.0.1:$REDIS_PORT was not started by this script)"
  else
    say redis "not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# S3Proxy (an S3 API over local files, for the archive store's S3 tests)
# ---------------------------------------------------------------------------------------------

s3proxy_jar() { find "$S3PROXY_JARS" -maxdepth 1 -name 's3proxy-*-jar-with-dependencies.jar' -print -quit 2>/dev/null; }

render_s3proxy_conf() {
  sed -e "1i # GENERATED by scripts/stack.sh from infra/s3proxy/s3proxy.conf.template at every start." \
    -e "/^#/!s#@PORT@#$S3PROXY_PORT#g" -e "/^#/!s#@DATA_DIR@#$S3PROXY_DATA#g" \
    -e "/^#/!s#@IDENTITY@#$S3PROXY_IDENTITY#g" -e "/^#/!s#@CREDENTIAL@#$S3PROXY_CREDENTIAL#g" \
    "$S3PROXY_INFRA_DIR/s3proxy.conf.template" >"$S3PROXY_PROPS"
}

# Waits until S3Proxy accepts connections (Jetty listens once the S3 handler is ready).
wait_s3proxy_ready() {
  local pid=$1 deadline=$((SECONDS + S3PROXY_START_TIMEOUT))
  until port_open 127.0.0.1 "$S3PROXY_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$S3PROXY_LOG" >&2 || true
      die "S3Proxy exited during startup (last lines of ${S3PROXY_LOG#"$ROOT_DIR/"} above)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -n 40 "$S3PROXY_LOG" >&2 || true; die "S3Proxy did not accept connections on 127.0.0.1:$S3PROXY_PORT within $S3PROXY_START_TIMEOUT s"; }
    sleep 0.2
  done
}

start_s3proxy() {
  local start pid jar
  start=$(now_ms)
  command -v java >/dev/null || die "Java 17+ is needed for S3Proxy: apt-get install -y openjdk-17-jre-headless"
  jars_complete "$S3PROXY_JARS" "$S3PROXY_INFRA_DIR" || fetch_jars S3Proxy "$S3PROXY_INFRA_DIR" "$S3PROXY_JARS" s3proxy-
  jar=$(s3proxy_jar)
  [ -n "$jar" ] || die "no s3proxy-*-jar-with-dependencies.jar in ${S3PROXY_JARS#"$ROOT_DIR/"}"
  # A bucket of the filesystem provider is a directory under the data directory.
  mkdir -p "$S3PROXY_DATA/$S3PROXY_BUCKET" "$RUN_DIR"
  render_s3proxy_conf
  if [ -f "$S3PROXY_LOG" ]; then mv -f "$S3PROXY_LOG" "$S3PROXY_LOG.1"; fi
  rm -f "$S3PROXY_PID_FILE"
  # Detached like the broker (see start_kafka): own session, own pid file, no inherited descriptor.
  setsid nohup bash -c "$DETACHED_EXEC" "$S3PROXY_PID_FILE" \
    java "${S3PROXY_JAVA_OPTS[@]}" -jar "$jar" --properties "$S3PROXY_PROPS" \
    >"$S3PROXY_LOG" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 100); do [ -s "$S3PROXY_PID_FILE" ] && break; sleep 0.05; done
  [ -s "$S3PROXY_PID_FILE" ] || die "the S3Proxy process did not start (see ${S3PROXY_LOG#"$ROOT_DIR/"})"
  pid=$(<"$S3PROXY_PID_FILE")
  wait_s3proxy_ready "$pid"
  say s3proxy "started in $(since "$start") (pid $pid, $S3PROXY_ENDPOINT, bucket $S3PROXY_BUCKET in ${S3PROXY_DATA#"$ROOT_DIR/"})"
}

ensure_s3proxy() {
  local pid
  if port_open 127.0.0.1 "$S3PROXY_PORT"; then
    if pid=$(live_pid "$S3PROXY_PID_FILE" "$S3PROXY_PROPS"); then
      mkdir -p "$S3PROXY_DATA/$S3PROXY_BUCKET" # the bucket, should someone have removed it
      say s3proxy "already running (pid $pid, $S3PROXY_ENDPOINT)"
    else
      say s3proxy "already running ($S3PROXY_ENDPOINT, not started by this script)"
    fi
  elif pid=$(live_pid "$S3PROXY_PID_FILE" "$S3PROXY_PROPS"); then
    wait_s3proxy_ready "$pid"
    say s3proxy "already running, now ready (pid $pid, $S3PROXY_ENDPOINT)"
  else
    start_s3proxy
  fi
}

stop_s3proxy() {
  local pid
  if pid=$(live_pid "$S3PROXY_PID_FILE" "$S3PROXY_PROPS"); then
    say s3proxy "$(stop_pid "$pid" 15) (pid $pid; data kept in ${S3PROXY_DATA#"$ROOT_DIR/"})"
    rm -f "$S3PROXY_PID_FILE"
  elif port_open 127.0.0.1 "$S3PROXY_PORT"; then
    say s3proxy "left running (127.0.0.1:$S3PROXY_PORT was not started by this script)"
  else
    rm -f "$S3PROXY_PID_FILE"
    say s3proxy "not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# Node side (dependencies, build, migrations) — only if the workspace has them
# ---------------------------------------------------------------------------------------------

# Outdated = no dist/.tsbuildinfo, or a source the build compiles (tsconfig.build.json's include
# minus its excludes), a dashboard source or a tsconfig is newer than the last build. "Last build" is the newer of
# dist/.tsbuildinfo and .stack/run/build.stamp (the start of the last build this script ran):
# tsc does not rewrite .tsbuildinfo when a file was touched but not changed, and without the stamp
# such a file would trigger a rebuild on every `up`.
BUILD_STAMP="$RUN_DIR/build.stamp"
build_outdated() {
  [ -f dist/.tsbuildinfo ] || return 0
  [ -f dist/apps/dashboard/public/index.html ] || return 0
  local newer=(-newer dist/.tsbuildinfo)
  [ -f "$BUILD_STAMP" ] && newer+=(-newer "$BUILD_STAMP")
  [ -n "$(find tsconfig.json tsconfig.base.json tsconfig.build.json "${newer[@]}" 2>/dev/null)" ] && return 0
  [ -n "$(find apps/*/src libs/*/src -name '*.ts' \
    ! -name '*.spec.ts' ! -name '*.int-spec.ts' ! -name '*.e2e-spec.ts' ! -path 'libs/testing/*' \
    "${newer[@]}" -print -quit 2>/dev/null)" ] && return 0
  # The dashboard (built by Vite, not tsc).
  [ -n "$(find apps/dashboard/src apps/dashboard/index.html apps/dashboard/static apps/dashboard/vite.config.mts \
    ! -name '*.spec.ts' "${newer[@]}" -print -quit 2>/dev/null)" ]
}

build_if_outdated() {
  local out start
  if build_outdated; then
    start=$(now_ms)
    mkdir -p "$RUN_DIR"
    touch "$BUILD_STAMP.new" # taken before tsc reads the sources: edits during the build count as newer
    out=$(npm run --silent build 2>&1) || { echo "$out" >&2; die "npm run build failed (output above)"; }
    mv -f "$BUILD_STAMP.new" "$BUILD_STAMP"
    say build "built in $(since "$start") (dist/)"
  else
    say build "up to date (dist/)"
  fi
}

node_side() {
  cd "$ROOT_DIR"
  [ -f package.json ] || return 0
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say node "skipped (node/npm not installed)"
    return 0
  fi
  local out start
  if [ ! -d node_modules ]; then
    start=$(now_ms)
    # `npm install`, not `npm ci`: the lock file names every platform's optional native package
    # (e.g. msgpackr-extract's prebuilt binaries) and a registry that does not serve all of them
    # makes `npm ci` refuse the whole lock; `npm install` installs this platform's from the lock.
    out=$(npm install --no-audit --no-fund 2>&1) || { echo "$out" >&2; die "npm install failed (output above)"; }
    say deps "installed with npm install in $(since "$start")"
  fi
  build_if_outdated
  local migrate=dist/libs/persistence/src/cli/migrate.js url results=()
  if [ -f "$migrate" ]; then
    for url in "$DATABASE_URL" "$TEST_DATABASE_URL"; do
      out=$(DATABASE_URL=$url node "$migrate" 2>&1) || { echo "$out" >&2; die "migrations on $(db_of "$url") failed (output above)"; }
      results+=("$(tail -n 1 <<<"$out" | sed 's/^migrations on //')")
    done
    say migrate "$(printf '%s; ' "${results[@]}" | sed 's/; $//')"
  fi
}

# ---------------------------------------------------------------------------------------------
# .stack/env
# ---------------------------------------------------------------------------------------------

write_env_file() {
  mkdir -p "$STACK_DIR"
  local tmp="$ENV_FILE.tmp"
  { echo "# Written by scripts/stack.sh up; source it: . .stack/env"
    echo "export KAFKA_BROKERS=$KAFKA_BROKERS"
    echo "export DATABASE_URL=$DATABASE_URL"
    echo "export TEST_DATABASE_URL=$TEST_DATABASE_URL"
    echo "export REDIS_URL=$REDIS_URL"
    if is_local "$KAFKA_BROKERS" "$DEFAULT_KAFKA_BROKERS" && [ -f "$KAFKA_TLS_DIR/.complete" ]; then kafka_security_env_lines; fi
    echo "# S3Proxy, for the archive store's tests (services archive to ARCHIVE_DIR unless ARCHIVE_S3_BUCKET is set)"
    echo "export S3PROXY_ENDPOINT=$S3PROXY_ENDPOINT"
    echo "export S3PROXY_ACCESS_KEY_ID=$S3PROXY_IDENTITY"
    echo "export S3PROXY_SECRET_ACCESS_KEY=$S3PROXY_CREDENTIAL"
    echo "export S3PROXY_BUCKET=$S3PROXY_BUCKET"; } >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
  say env "${ENV_FILE#"$ROOT_DIR/"} written"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

# up and down serialise on a lock (two `up`s at once would race to start the same broker).
# The lock is fd 9: every daemon this script starts gets `9>&-`, or it would hold the lock forever.
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/stack.lock"
  if ! flock -n 9; then
    echo "waiting for another scripts/stack.sh up/down to finish..." >&2
    flock -w 600 9 || die "could not get the stack lock ($RUN_DIR/stack.lock) within 600 s"
  fi
}

cmd_up() {
  local start
  start=$(now_ms)
  take_lock
  ensure_kafka
  ensure_topics
  if is_local "$KAFKA_BROKERS" "$DEFAULT_KAFKA_BROKERS"; then ensure_kafka_scram_user; fi
  ensure_postgres
  ensure_redis
  ensure_s3proxy
  export KAFKA_BROKERS DATABASE_URL TEST_DATABASE_URL REDIS_URL
  write_env_file # before the Node steps: the infrastructure is usable even if a build fails
  node_side
  say stack "up ($(since "$start"))"
}

cmd_down() {
  take_lock
  stop_kafka
  stop_redis
  stop_s3proxy
  stop_postgres
}

cmd_status() {
  local rc=0 pid b ok url var
  if is_local "$KAFKA_BROKERS" "$DEFAULT_KAFKA_BROKERS"; then
    if port_open 127.0.0.1 "$KAFKA_PORT"; then
      if pid=$(live_pid "$KAFKA_PID_FILE" "$KAFKA_PROPS"); then say kafka "up (pid $pid, $KAFKA_BROKERS)"
      else say kafka "up ($KAFKA_BROKERS, not started by this script)"; fi
    else say kafka "down ($KAFKA_BROKERS)"; rc=1; fi
  else
    ok=
    for b in ${KAFKA_BROKERS//,/ }; do port_open "${b%:*}" "${b##*:}" && ok=1 && break; done
    if [ -n "$ok" ]; then say kafka "up (external $KAFKA_BROKERS)"; else say kafka "down (external $KAFKA_BROKERS)"; rc=1; fi
  fi

  # One line for PostgreSQL: every server that DATABASE_URL / TEST_DATABASE_URL point to.
  local endpoint up=() down=()
  for endpoint in $(for url in "$DATABASE_URL" "$TEST_DATABASE_URL"; do
    echo "$(host_of "$url"):$(port_of "$url" 5432)"; done | sort -u); do
    if pg_ready "${endpoint%:*}" "${endpoint##*:}"; then up+=("$endpoint"); else down+=("$endpoint"); fi
  done
  if [ ${#down[@]} -eq 0 ]; then
    local note=""
    [ -f "$PG_MARKER" ] && note=", started by this script"
    say postgres "up (${up[*]}; databases $(db_of "$DATABASE_URL"), $(db_of "$TEST_DATABASE_URL")$note)"
  else say postgres "down (${down[*]} not accepting connections)"; rc=1; fi

  if [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = PONG ]; then
    local aof
    aof=$(redis-cli -u "$REDIS_URL" config get appendonly 2>/dev/null | tail -n 1)
    if is_local "$REDIS_URL" "$DEFAULT_REDIS_URL" && pid=$(live_pid "$REDIS_PID_FILE" "redis-server 127.0.0.1:$REDIS_PORT"); then
      say redis "up (pid $pid, $REDIS_URL, appendonly $aof)"
    else say redis "up ($REDIS_URL, appendonly $aof)"; fi
  else say redis "down ($REDIS_URL)"; rc=1; fi

  if port_open 127.0.0.1 "$S3PROXY_PORT"; then
    if pid=$(live_pid "$S3PROXY_PID_FILE" "$S3PROXY_PROPS"); then say s3proxy "up (pid $pid, $S3PROXY_ENDPOINT, bucket $S3PROXY_BUCKET)"
    else say s3proxy "up ($S3PROXY_ENDPOINT, not started by this script)"; fi
  else say s3proxy "down ($S3PROXY_ENDPOINT)"; rc=1; fi
  return $rc
}

cmd_logs() {
  local follow=() files=() c ver
  if [ "${1:-}" = -f ] || [ "${1:-}" = --follow ]; then follow=(-F); shift; fi
  local components=(kafka redis postgres s3proxy)
  [ $# -eq 0 ] || components=("$@")
  for c in "${components[@]}"; do
    case $c in
      kafka) files+=("$KAFKA_LOG") ;;
      redis) files+=("$REDIS_LOG") ;;
      s3proxy) files+=("$S3PROXY_LOG") ;;
      postgres | postgresql)
        ver=$(pg_cluster_version)
        files+=("/var/log/postgresql/postgresql-${ver:-?}-main.log") ;;
      *) die "logs: unknown component '$c' (kafka, redis, postgres or s3proxy)" ;;
    esac
  done
  for c in "${files[@]}"; do [ -f "$c" ] || [ ${#follow[@]} -gt 0 ] || die "no log yet: $c"; done
  exec tail -n "${LOG_LINES:-100}" "${follow[@]}" "${files[@]}"
}

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  build) cd "$ROOT_DIR" && build_if_outdated ;;
  logs) shift; cmd_logs "$@" ;;
  stop | start)
    # One component, for outage drills and tests: `stop kafka`, `start kafka` (topics ensured),
    # `stop s3proxy`, `start s3proxy`.
    case "${2:-}" in
      kafka | s3proxy) ;;
      *) die "usage: stack.sh $1 kafka|s3proxy" ;;
    esac
    take_lock
    case "$1 $2" in
      "stop kafka") stop_kafka ;;
      "start kafka") ensure_kafka && ensure_topics && ensure_kafka_scram_user ;;
      "stop s3proxy") stop_s3proxy ;;
      "start s3proxy") ensure_s3proxy ;;
    esac
    ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
