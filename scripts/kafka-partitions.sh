#!/usr/bin/env bash
# Raises a topic's partition count on a running Kafka (never lowers it; idempotent):
#
#   KAFKA_BROKERS=host:9092 bash scripts/kafka-partitions.sh <topic> <count>
#
# Uses Kafka's TopicCommand from the local stack's jars (.stack/kafka/jars, fetched by
# `bash scripts/stack.sh up`); on a cluster with TLS/SASL run kafka-topics.sh --alter with your
# client properties instead. What to do before and after (consumers first, then producers): the
# procedure in docs/scaling.md, "Adding partitions". The local stack's own topics are raised to
# ACTION_EVENTS_PARTITIONS / ESCALATIONS_PARTITIONS by `bash scripts/stack.sh up`.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "kafka-partitions.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: KAFKA_BROKERS=host:port bash scripts/kafka-partitions.sh <topic> <count>"
TOPIC=$1 COUNT=$2
[[ "$COUNT" =~ ^[1-9][0-9]{0,3}$ ]] || die "the count must be a whole number from 1 to 9999, not '$COUNT'"
BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
KAFKA_JARS=${KAFKA_JARS:-$ROOT_DIR/.stack/kafka/jars}
ls "$KAFKA_JARS"/kafka-tools-*.jar >/dev/null 2>&1 || die "no Kafka jars in $KAFKA_JARS: run 'bash scripts/stack.sh up' once"
command -v java >/dev/null || die "Java 17+ is needed for Kafka's TopicCommand"
TOPIC_TOOL=org.apache.kafka.tools.TopicCommand
kafka_tool() {
  java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$ROOT_DIR/infra/kafka/tools-log4j.properties" -cp "$KAFKA_JARS/*" "$@"
}
# shellcheck source=scripts/lib/kafka-partitions.sh
. "$ROOT_DIR/scripts/lib/kafka-partitions.sh"

current=$(topic_partition_counts "$BROKERS" "$TOPIC") || die "describing topic $TOPIC on $BROKERS failed (output above)"
[ -n "$current" ] || die "topic $TOPIC does not exist on $BROKERS"
result=$(raise_partitions "$BROKERS" "$TOPIC" "${current##* }" "$COUNT")
echo "$TOPIC on $BROKERS: $result"
