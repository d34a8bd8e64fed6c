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
command -v apt-get >/dev/null || die "chromium is not installed and apt-get is not available: install Chromium and set CHROMIUM_PATH"
[ "$(id -u)" = 0 ] || die "chromium is not installed: run as root so it can be installed with apt-get, or install it"

echo "installing chromium with apt-get..." >&2
# policy-rc.d 101 = "do not start services" while packages install (as scripts/stack.sh does).
policy=/usr/sbin/policy-rc.d own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
fi
if ! out=$( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation) 2>&1); then
  [ -n "$own_policy" ] && rm -f "$policy"
  echo "$out" >&2
  die "apt-get install chromium failed (output above)"
fi
[ -n "$own_policy" ] && rm -f "$policy"
installed || die "chromium was installed but $CHROMIUM does not run"
echo "chromium   $("$CHROMIUM" --version 2>/dev/null | head -1) ($CHROMIUM)"
