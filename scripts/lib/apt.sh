# shellcheck shell=bash
# apt_install PKG…: installs Debian packages without starting their services (policy-rc.d 101 =
# "do not start"), as root, with `apt-get update` first. Dies (through the caller's `die`) naming
# the packages when apt-get is missing, the caller is not root, or the install fails (its output
# shown). Extra apt-get options may precede the packages (e.g. --no-install-recommends).
# Sourced by scripts/stack.sh, scripts/browser.sh and scripts/lib/python-kafka.sh.
apt_install() {
  command -v apt-get >/dev/null || die "$* is not installed and apt-get is not available: install it first"
  [ "$(id -u)" = 0 ] || die "$* is not installed: run as root so it can be installed with apt-get, or install it"
  local out policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
  fi
  echo "installing $* with apt-get..." >&2
  # 9>&-: a caller holding a lock on fd 9 does not hand it to apt's child processes.
  if ! out=$( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") 2>&1 9>&-); then
    [ -n "$own_policy" ] && rm -f "$policy"
    echo "$out" >&2
    die "apt-get install $* failed (output above)"
  fi
  [ -n "$own_policy" ] && rm -f "$policy"
  return 0
}
