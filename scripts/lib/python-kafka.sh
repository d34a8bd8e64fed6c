#!/usr/bin/env bash
# The Python client of the escalation consumer example (examples/escalation-consumer-python):
# Debian's python3-confluent-kafka (librdkafka), used with /usr/bin/python3. Idempotent: installs it
# with apt-get only when `import confluent_kafka` fails, then prints its version.
#
#   bash scripts/lib/python-kafka.sh          install if missing (root, apt-get), print the version
#   bash scripts/lib/python-kafka.sh check    exit 1 with a message if it is missing, install nothing
set -euo pipefail

PYTHON=/usr/bin/python3
PACKAGE=python3-confluent-kafka

die() { echo "python-kafka.sh: $*" >&2; exit 1; }

version() { "$PYTHON" -c 'import confluent_kafka as k; print(k.version()[0], "librdkafka", k.libversion()[0])' 2>/dev/null; }

if v=$(version); then
  echo "confluent_kafka $v ($PYTHON)"
  exit 0
fi

[ "${1:-}" = check ] && die "$PYTHON cannot import confluent_kafka: run 'bash scripts/lib/python-kafka.sh' (as root) to install Debian's $PACKAGE"
command -v apt-get >/dev/null || die "confluent_kafka is missing and apt-get is not available: install $PACKAGE for $PYTHON"
[ "$(id -u)" = 0 ] || die "confluent_kafka is missing: run as root so $PACKAGE can be installed with apt-get"

echo "installing $PACKAGE with apt-get..." >&2
# policy-rc.d 101 = "do not start services" while packages install (as scripts/stack.sh does).
policy=/usr/sbin/policy-rc.d own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
fi
if ! out=$( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$PACKAGE") 2>&1); then
  [ -n "$own_policy" ] && rm -f "$policy"
  echo "$out" >&2
  die "apt-get install $PACKAGE failed (output above)"
fi
[ -n "$own_policy" ] && rm -f "$policy"
v=$(version) || die "$PACKAGE was installed but $PYTHON still cannot import confluent_kafka"
echo "confluent_kafka $v ($PYTHON)"
