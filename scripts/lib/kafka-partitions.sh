# shellcheck shell=bash
# Partition counts of existing topics, through Kafka's own TopicCommand (kafka-topics.sh).
# The caller defines `kafka_tool` (java -cp <kafka jars> "$@") and `die`, and sets TOPIC_TOOL.
# Sourced by scripts/stack.sh (its `up` raises the local topics to the configured counts) and
# scripts/kafka-partitions.sh (the same step against any broker). docs/scaling.md, "Adding partitions".

# topic_partition_counts BOOTSTRAP [TOPIC]: one line "<topic> <partition count>" per existing topic
# (or for TOPIC only), from one describe call. Fails with the tool's output if the call fails.
topic_partition_counts() {
  local out
  out=$(kafka_tool "$TOPIC_TOOL" --bootstrap-server "$1" --describe ${2:+--topic "$2"} 2>&1) ||
    { echo "$out" >&2; return 1; }
  sed -n 's/^Topic:[[:space:]]*\([^[:space:]]*\)[[:space:]].*PartitionCount:[[:space:]]*\([0-9][0-9]*\).*/\1 \2/p' <<<"$out"
}

# raise_partitions BOOTSTRAP TOPIC CURRENT WANTED: raises TOPIC (with CURRENT partitions) to WANTED
# when it has fewer, and leaves it alone when it has WANTED or more (Kafka cannot remove partitions).
# Idempotent. Prints one of "raised CURRENT -> WANTED", "already CURRENT", "above WANTED: CURRENT ...".
raise_partitions() {
  local bootstrap=$1 topic=$2 current=$3 wanted=$4 out
  if [ "$current" -eq "$wanted" ]; then
    echo "already $current"
  elif [ "$current" -gt "$wanted" ]; then
    echo "above $wanted: $current (Kafka cannot lower it)"
  else
    out=$(kafka_tool "$TOPIC_TOOL" --bootstrap-server "$bootstrap" --alter --topic "$topic" --partitions "$wanted" 2>&1) ||
      { echo "$out" >&2; die "raising topic $topic to $wanted partitions failed (output above)"; }
    echo "raised $current -> $wanted"
  fi
}
