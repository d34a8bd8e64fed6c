#!/usr/bin/python3
"""A subscriber of agent-ledger.escalations.v1 (docs/events.md) in Python.

Reads every escalation event with confluent_kafka (Debian's python3-confluent-kafka) in its own
consumer group, checks the fields it relies on and prints each event to stdout as one JSON line.
Diagnostics go to stderr.

    KAFKA_BROKERS=127.0.0.1:9092 GROUP_ID=my-escalation-consumer /usr/bin/python3 consumer.py

Delivery is at least once: the offset is committed after the event was printed, so an event may be
printed again after a restart or a rebalance; a real handler drops repeats by eventId. A message it
cannot read (another schema version, a value that breaks the contract, a type it does not know) is
reported and skipped: the partition goes on. Fields it does not know are ignored (v1 only gains
optional fields), so the full JSON Schema (schemas/escalation-event.v1.json) is not needed here.
"""

import json
import os
import re
import signal
import sys

from confluent_kafka import Consumer, KafkaError

# The ledger's topic prefix when it shares its Kafka cluster with other ledgers (the services read the same variable).
TOPIC = os.environ.get("KAFKA_TOPIC_PREFIX", "") + "agent-ledger.escalations.v1"
SCHEMA_VERSION_HEADER = "x-ledger-schema"
SCHEMA_VERSION = "escalation-event.v1"

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
COMMON = {"eventId": "uuid", "escalationId": "uuid", "tenantId": "uuid", "sessionId": "text", "occurredAt": "text"}
BY_TYPE = {
    "escalation.opened": {"reason": "text", "severity": "text", "summary": "text", "customerMessage": "text", "triggeringEventIds": "list", "count": "int"},
    "escalation.updated": {"reason": "text", "count": "int", "lastSeenAt": "text", "triggeringEventIds": "list"},
    "escalation.acknowledged": {"acknowledgedBy": "text"},
    "escalation.resolved": {"resolvedBy": "text"},
}


def problems(event):
    """What makes `event` unusable, by field (never the values: they may hold customer text)."""
    if not isinstance(event, dict):
        return ["/ not an object"]
    fields = BY_TYPE.get(event.get("type"))
    if fields is None:
        return ["/type unknown"]
    out = []
    for name, kind in {**COMMON, **fields}.items():
        value = event.get(name)
        ok = (
            (kind == "uuid" and isinstance(value, str) and UUID.match(value))
            or (kind == "text" and isinstance(value, str) and value != "")
            or (kind == "list" and isinstance(value, list))
            or (kind == "int" and isinstance(value, int) and not isinstance(value, bool) and value >= 1)
        )
        if not ok:
            out.append(f"/{name} {'required' if value is None else 'invalid'}")
    return out


def read_escalation(message):
    """(event, None), or (None, why it is skipped)."""
    headers = dict(message.headers() or [])
    version = headers.get(SCHEMA_VERSION_HEADER)
    # Absent: a producer that predates the header. Another value: a schema this consumer does not know.
    if version is not None and version.decode("utf-8", "replace") != SCHEMA_VERSION:
        return None, f"schema {version.decode('utf-8', 'replace')}"
    if not message.value():
        return None, "empty value"
    try:
        event = json.loads(message.value().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "invalid JSON"
    found = problems(event)
    return (None, ", ".join(found)) if found else (event, None)


def note(line):
    print(line, file=sys.stderr, flush=True)


def main():
    group_id = os.environ.get("GROUP_ID", "escalation-consumer-example")
    consumer = Consumer({
        "bootstrap.servers": os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092"),
        "group.id": group_id,
        "client.id": "escalation-consumer-example-python",
        # Where a new group starts: the current end of the topic unless FROM_BEGINNING=true.
        "auto.offset.reset": "earliest" if os.environ.get("FROM_BEGINNING") == "true" else "latest",
        "enable.auto.commit": False,
    })
    running = [True]

    def stop(_signum, _frame):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def on_assign(_consumer, partitions):
        note(f"consuming {TOPIC} as group {group_id} ({len(partitions)} partitions assigned)")

    consumer.subscribe([TOPIC], on_assign=on_assign)
    try:
        while running[0]:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    note(f"consumer error: {message.error()}")
                continue
            event, why = read_escalation(message)
            if event is None:
                note(f"skipped {TOPIC}[{message.partition()}]@{message.offset()}: {why}")
            else:
                print(json.dumps(event, separators=(",", ":")), flush=True)
            consumer.commit(message=message, asynchronous=False)
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
