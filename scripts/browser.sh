#!/usr/bin/env bash
# The browser of the dashboard's end-to-end test: Debian's Chromium at /usr/bin/chromium, driven by
# playwright-core (which never downloads a browser of its own). Idempotent: installs it with
# apt-get only when it is missing, then prints its version.
#
#   bash scripts/browser.sh          install if missing (root, apt-get), print the version
#   bash scripts/browser.sh check    exit 1 with a message if it is missing, install nothing
#
# CHROMIUM_PATH names another Chromium/Chrome binary; it is then only checked, never installed.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

die() { echo "browser.sh: $*" >&2; exit 1; }

installed() { [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; }

if installed; then
  echo "chromium   $("$CHROMIUM" --version 2>/dev/null | head -1) ($CHROMIUM)"
  exit 0
fi

[ "${1:-}" = check ] && die "$CHROMIUM is missing: run 'bash scripts/browser.sh' (as root) to install Debian's chromium"
[ -n "${CHROMIUM_PATH:-}" ] && die "CHROMIUM_PATH=$CHROMIUM is not an executable browser"
# shellcheck source=scripts/lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install --no-install-recommends chromium fonts-liberation
installed || die "chromium was installed but $CHROMIUM does not run"
echo "chromium   $("$CHROMIUM" --version 2>/dev/null | head -1) ($CHROMIUM)"
