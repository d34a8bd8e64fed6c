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
# shellcheck source=scripts/lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
apt_install --no-install-recommends "$PACKAGE"
v=$(version) || die "$PACKAGE was installed but $PYTHON still cannot import confluent_kafka"
echo "confluent_kafka $v ($PYTHON)"
